// Imports a dataset version from a folder, a .zip or a NIfTI volume: extract safely, scan the
// Br35H layout, preprocess, group near-duplicates, split without leakage, then write the files
// and the database row. Any ImportError leaves nothing behind: no folder, no row.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Db } from '../../db/client';
import { findDatasetByName, insertDataset, listDatasets, type DatasetRow } from '../../db/queries/datasets';
import { extractZipSafely } from '../../workers/data/import/zip';
import { scanLayout, UNLABELLED, type Layout } from '../../workers/data/import/layout';
import { prepareDataset, type ReportEntry } from '../../workers/data/import/process';
import { ImportError, importLimitsSchema, type ImportLimits, type ImportProgress } from '../../workers/data/import/limits';
import { beforeAfterPng, classGridPng } from '../../workers/data/import/previews';
import { datasetHash, writeDatasetFiles } from '../../workers/data/dataset-store';
import { anomalySplit, stratifiedSplit } from '../../workers/data/splits';

export interface ImportOptions {
  source: string;
  /** A label mask for a single NIfTI volume. */
  mask?: string;
  /** A name that must be free (an error names the clash). */
  name?: string;
  /** A name to use when `name` is not given; made unique with a -2, -3... suffix. */
  suggestedName?: string;
  kind?: DatasetRow['kind'];
  /** What to record as the origin when `source` is only a temporary folder. */
  sourceLabel?: string;
  size?: number;
  seed?: number;
  limits?: Partial<ImportLimits>;
  onProgress?: ImportProgress;
}

export interface ImportResult {
  dataset: DatasetRow;
  report: ReportEntry[];
  imported: number;
  skipped: number;
  duplicateGroups: number;
  alreadyImported: boolean;
}

const NIFTI = /\.nii(\.gz)?$/i;

/** `wanted`, or `wanted-2`, `wanted-3`… if a dataset already has that name. */
export function uniqueName(db: Db, wanted: string): string {
  const taken = new Set(listDatasets(db).map((d) => d.name));
  if (!taken.has(wanted)) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted}-${i}`)) return `${wanted}-${i}`;
}

export async function importDataset(db: Db, dataDir: string, opts: ImportOptions): Promise<ImportResult> {
  const limits = importLimitsSchema.parse(opts.limits ?? {});
  const size = opts.size ?? 128;
  const seed = opts.seed ?? 1;
  const source = path.resolve(opts.source);
  if (!fs.existsSync(source)) throw new ImportError(`${opts.source} does not exist`);
  if (opts.name && findDatasetByName(db, opts.name)) throw new ImportError(`a dataset named "${opts.name}" already exists; choose another name`);
  const staging = path.join(dataDir, 'tmp', `import-${crypto.randomBytes(6).toString('hex')}`);
  try {
    let root = source;
    let layout: Layout;
    if (fs.statSync(source).isDirectory()) layout = scanLayout(root);
    else if (/\.zip$/i.test(source)) {
      fs.mkdirSync(staging, { recursive: true });
      await extractZipSafely(source, staging, limits, opts.onProgress);
      root = staging;
      layout = scanLayout(root);
    } else if (NIFTI.test(source)) {
      root = path.dirname(source);
      const mask = opts.mask ? path.relative(root, path.resolve(opts.mask)) : null;
      if (mask && (mask.startsWith('..') || !fs.existsSync(path.join(root, mask)))) throw new ImportError('the mask must be an existing file in the same folder as the volume');
      layout = { images: [], volumes: [{ path: path.basename(source), mask }], skipped: [] };
    } else throw new ImportError(`${path.basename(source)} is neither a folder, a .zip archive nor a NIfTI volume (.nii, .nii.gz)`);

    const prepared = await prepareDataset(root, layout, size, limits, opts.onProgress);
    const labelled = [...prepared.labels].filter((l) => l !== UNLABELLED).length;
    if (labelled === 0) {
      const reasons = prepared.report.filter((r) => r.status === 'skipped').slice(0, 3).map((r) => `${r.path}: ${r.reason}`);
      throw new ImportError(`no labelled image could be imported${reasons.length ? ` (for example ${reasons.join('; ')})` : ''}`);
    }
    const hash = datasetHash(prepared.images, prepared.labels, size);
    const id = `ds-${hash.slice(0, 12)}`;
    const skipped = prepared.report.filter((r) => r.status === 'skipped').length;
    const existing = listDatasets(db).find((d) => d.contentHash === hash);
    const groupSizes = new Map<number, number>();
    for (const g of prepared.groupOf) groupSizes.set(g, (groupSizes.get(g) ?? 0) + 1);
    const duplicateGroups = [...groupSizes.values()].filter((n) => n > 1).length;
    const summary = { report: prepared.report, imported: prepared.images.length, skipped, duplicateGroups };
    if (existing) return { dataset: existing, ...summary, alreadyImported: true };

    opts.onProgress?.('write', 0, 1);
    const groups = Array.from(prepared.groupOf);
    const tumor = prepared.labels.filter((l) => l === 1).length;
    const unlabelled = prepared.images.length - labelled;
    const pick = (label: number) => prepared.images.filter((_, i) => prepared.labels[i] === label).slice(0, 32);
    const dir = path.join('datasets', id);
    writeDatasetFiles(path.join(dataDir, dir), size, prepared.images, prepared.labels, {
      'groups.i32': new Uint8Array(Int32Array.from(groups).buffer),
      'sources.json': JSON.stringify(prepared.sources),
      'report.json': JSON.stringify(prepared.report),
      'preview-tumor.png': await classGridPng(pick(1), size),
      'preview-healthy.png': await classGridPng(pick(0), size),
      'before-after.png': await beforeAfterPng(prepared.samples.map((s) => ({ ...s, after: prepared.images[s.index] })), size),
    });
    const row: DatasetRow = {
      id,
      name: opts.name ?? uniqueName(db, opts.suggestedName ?? path.basename(source).replace(/\.(zip|nii(\.gz)?)$/i, '')),
      kind: opts.kind ?? 'imported',
      contentHash: hash,
      dir,
      imageSize: size,
      count: prepared.images.length,
      classCounts: { healthy: labelled - tumor, tumor, unlabelled },
      source: opts.sourceLabel ?? opts.source,
      duplicateGroups,
      splits: stratifiedSplit(prepared.labels, seed, [0.7, 0.2, 0.1], groups),
      anomalySplits: anomalySplit(prepared.labels, seed, groups),
      lineage: null,
      createdAt: Date.now(),
    };
    try {
      insertDataset(db, row);
    } catch (err) {
      fs.rmSync(path.join(dataDir, dir), { recursive: true, force: true });
      throw err;
    }
    opts.onProgress?.('write', 1, 1);
    return { dataset: row, ...summary, alreadyImported: false };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
