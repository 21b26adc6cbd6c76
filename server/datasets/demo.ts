// The embedded demo dataset: Br35H-like raw JPEGs (varied canvases, contrasts, backgrounds,
// markers, augmented near-copies) generated deterministically on first start and then imported
// through the same pipeline as a user's data, so the dashboard works with no download.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Db } from '../../db/client';
import { findDatasetByName, type DatasetRow } from '../../db/queries/datasets';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { importDataset } from './import';

const DEMO_SEED = 1;

export function demoDatasetName(perClass: number): string {
  return `demo-br35h-like-${perClass}`;
}

/** Returns the demo dataset, generating and importing it (progress on `log`) when it is missing. */
export async function ensureDemoDataset(db: Db, dataDir: string, perClass: number, log: (line: string) => void = console.error): Promise<DatasetRow> {
  const name = demoDatasetName(perClass);
  const existing = findDatasetByName(db, name);
  if (existing && fs.existsSync(path.join(dataDir, existing.dir, 'meta.json'))) return existing;
  if (existing) throw new Error(`the files of dataset ${name} are missing from ${path.join(dataDir, existing.dir)}; restore them or use a new DATA_DIR`);

  const started = Date.now();
  const raw = path.join(dataDir, 'tmp', `demo-raw-${crypto.randomBytes(4).toString('hex')}`);
  const every = (total: number) => Math.max(1, Math.round(total / 10));
  try {
    await writeRawDemoDataset(raw, {
      seed: DEMO_SEED,
      perClass,
      onProgress: (done, total) => (done % every(total) === 0 || done === total) && log(`demo dataset: rendered ${done}/${total} raw MRI-like JPEGs`),
    });
    const result = await importDataset(db, dataDir, {
      source: raw,
      name,
      kind: 'demo',
      sourceLabel: `embedded generator (seed ${DEMO_SEED}, ${perClass} per class)`,
      seed: DEMO_SEED,
      onProgress: (phase, done, total) => phase === 'decode' && (done % every(total) === 0 || done === total) && log(`demo dataset: preprocessed ${done}/${total} images`),
    });
    log(`demo dataset ${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.imported} images, ${result.duplicateGroups} near-duplicate groups`);
    return result.dataset;
  } finally {
    fs.rmSync(raw, { recursive: true, force: true });
  }
}
