// The embedded demo dataset: phantom brain slices generated deterministically on first start,
// so the dashboard works with no download.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/client';
import { findDatasetByName, insertDataset, type DatasetRow } from '../../db/queries/datasets';
import { generatePhantomSet } from '../../workers/data/phantom';
import { datasetHash, writeDatasetFiles } from '../../workers/data/dataset-store';
import { stratifiedSplit } from '../../workers/data/splits';

const DEMO_SEED = 1;
const DEMO_SIZE = 128;

export function demoDatasetName(perClass: number): string {
  return `demo-phantoms-${perClass}`;
}

/** Returns the demo dataset, generating it (with progress on stderr) when it is missing. */
export function ensureDemoDataset(db: Db, dataDir: string, perClass: number, log: (line: string) => void = console.error): DatasetRow {
  const name = demoDatasetName(perClass);
  const existing = findDatasetByName(db, name);
  if (existing && fs.existsSync(path.join(dataDir, existing.dir, 'meta.json'))) return existing;

  const started = Date.now();
  let lastShown = -1;
  const { images, labels } = generatePhantomSet({
    seed: DEMO_SEED,
    perClass,
    size: DEMO_SIZE,
    onProgress: (done, total) => {
      const pct = Math.floor((100 * done) / total);
      if (pct >= lastShown + 10 || done === total) {
        lastShown = pct;
        log(`demo dataset: generated ${done}/${total} phantom slices (${pct}%)`);
      }
    },
  });
  const hash = datasetHash(images, labels, DEMO_SIZE);
  if (existing) {
    // The row survived but its files were deleted: rewrite them where the row points.
    if (existing.contentHash !== hash) log(`demo dataset: regenerated content differs from ${existing.id}'s recorded hash`);
    writeDatasetFiles(path.join(dataDir, existing.dir), DEMO_SIZE, images, labels);
    return existing;
  }
  const id = `ds-${hash.slice(0, 12)}`;
  const dir = path.join('datasets', id);
  writeDatasetFiles(path.join(dataDir, dir), DEMO_SIZE, images, labels);
  const tumor = labels.reduce((n, l) => n + l, 0);
  const row: DatasetRow = {
    id,
    name,
    kind: 'demo',
    contentHash: hash,
    imageSize: DEMO_SIZE,
    count: images.length,
    classCounts: { healthy: images.length - tumor, tumor },
    dir,
    splits: stratifiedSplit(labels, DEMO_SEED),
    createdAt: Date.now(),
  };
  insertDataset(db, row);
  log(`demo dataset ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${images.length} slices at ${DEMO_SIZE}x${DEMO_SIZE})`);
  return row;
}
