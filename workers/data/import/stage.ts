// The heavy part of an import, run in the import process (workers/import-main.ts): extract, scan
// the layout, preprocess, group near-duplicates, split, then write the version's files and
// previews into the job's staging folder. The server records it (server/datasets/import.ts) and
// removes the staging folder whatever happens, so a failure here leaves nothing behind.
import fs from 'node:fs';
import path from 'node:path';
import { STAGED_DATASET_FOLDER, type ImportJob, type StagedImport } from '../../../lib/contracts/import';
import { extractZipSafely } from './zip';
import { scanLayout, UNLABELLED, type Layout } from './layout';
import { prepareDataset, type PreparedDataset } from './process';
import { ImportError, type ImportProgress } from './limits';
import { beforeAfterPng, classGridPng } from './previews';
import { datasetHash, writeDatasetFiles } from '../dataset-store';
import { anomalySplit, stratifiedSplit } from '../splits';

const NIFTI = /\.nii(\.gz)?$/i;

/** The folder to read and its layout: a folder as it is, a .zip extracted into the staging
 * folder, or one NIfTI volume (with its mask, which must lie beside it). */
async function locateInput(job: ImportJob, onProgress?: ImportProgress): Promise<{ root: string; layout: Layout }> {
  const { source } = job;
  if (fs.statSync(source).isDirectory()) return { root: source, layout: scanLayout(source) };
  if (/\.zip$/i.test(source)) {
    const root = path.join(job.staging, 'extracted');
    fs.mkdirSync(root, { recursive: true });
    await extractZipSafely(source, root, job.limits, onProgress);
    return { root, layout: scanLayout(root) };
  }
  if (NIFTI.test(source)) {
    const root = path.dirname(source);
    const mask = job.mask ? path.relative(root, job.mask) : null;
    if (mask && (mask.startsWith('..') || !fs.existsSync(path.join(root, mask)))) throw new ImportError('the mask must be an existing file in the same folder as the volume');
    return { root, layout: { images: [], volumes: [{ path: path.basename(source), mask }], skipped: [] } };
  }
  throw new ImportError(`${path.basename(source)} is neither a folder, a .zip archive nor a NIfTI volume (.nii, .nii.gz)`);
}

/** The version's files: pixels and labels (dataset-store), groups, sources, report, previews. */
async function writeVersion(dir: string, prepared: PreparedDataset): Promise<void> {
  const { size, images, labels } = prepared;
  const pick = (label: number) => images.filter((_, i) => labels[i] === label).slice(0, 32);
  writeDatasetFiles(dir, size, images, labels, {
    'groups.i32': new Uint8Array(Int32Array.from(prepared.groupOf).buffer),
    'sources.json': JSON.stringify(prepared.sources),
    'report.json': JSON.stringify(prepared.report),
    'preview-tumor.png': await classGridPng(pick(1), size),
    'preview-healthy.png': await classGridPng(pick(0), size),
    'before-after.png': await beforeAfterPng(prepared.samples.map((s) => ({ ...s, after: images[s.index] })), size),
  });
}

export async function stageImport(job: ImportJob, onProgress?: ImportProgress): Promise<StagedImport> {
  const { root, layout } = await locateInput(job, onProgress);
  const prepared = await prepareDataset(root, layout, job.size, job.limits, onProgress);
  const labelled = prepared.labels.filter((l) => l !== UNLABELLED).length;
  if (labelled === 0) {
    const reasons = prepared.report.filter((r) => r.status === 'skipped').slice(0, 3).map((r) => `${r.path}: ${r.reason}`);
    throw new ImportError(`no labelled image could be imported${reasons.length ? ` (for example ${reasons.join('; ')})` : ''}`);
  }
  const contentHash = datasetHash(prepared.images, prepared.labels, job.size);
  const groups = Array.from(prepared.groupOf);
  const groupSizes = new Map<number, number>();
  for (const g of groups) groupSizes.set(g, (groupSizes.get(g) ?? 0) + 1);
  const tumor = prepared.labels.filter((l) => l === 1).length;
  const written = !job.knownHashes.includes(contentHash);
  if (written) {
    onProgress?.('write', 0, 1);
    await writeVersion(path.join(job.staging, STAGED_DATASET_FOLDER), prepared);
  }
  return {
    contentHash,
    written,
    imageSize: job.size,
    count: prepared.images.length,
    classCounts: { healthy: labelled - tumor, tumor, unlabelled: prepared.images.length - labelled },
    skipped: prepared.report.filter((r) => r.status === 'skipped').length,
    duplicateGroups: [...groupSizes.values()].filter((n) => n > 1).length,
    report: prepared.report,
    splits: stratifiedSplit(prepared.labels, job.seed, [0.7, 0.2, 0.1], groups),
    anomalySplits: anomalySplit(prepared.labels, job.seed, groups),
  };
}
