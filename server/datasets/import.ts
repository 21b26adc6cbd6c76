// Imports a dataset version from a folder, a .zip or a NIfTI volume. The heavy part (extract,
// preprocess, group, split, write the files) runs in an import process (./import-process); this
// side checks the name, records the version and moves its staged folder into place. A failed
// import leaves nothing behind: no folder, no row.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/client';
import { findDatasetByName, insertDataset, listDatasets, type DatasetRow } from '../../db/queries/datasets';
import { importLimitsSchema, STAGED_DATASET_FOLDER, type ImportLimits, type ReportEntry, type StagedImport } from '../../lib/contracts/import';
import { ImportError, type ImportProgress } from '../../workers/data/import/limits';
import { ImportProcessError, runImportProcess } from './import-process';
import { newStagingDir, removeAbandonedStaging } from './import-staging';

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

/** `wanted`, or `wanted-2`, `wanted-3`… if a dataset already has that name. */
export function uniqueName(db: Db, wanted: string): string {
  const taken = new Set(listDatasets(db).map((d) => d.name));
  if (!taken.has(wanted)) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted}-${i}`)) return `${wanted}-${i}`;
}

const nameTaken = (name: string) => new ImportError(`a dataset named "${name}" already exists; choose another name`);

export async function importDataset(db: Db, dataDir: string, opts: ImportOptions): Promise<ImportResult> {
  const source = path.resolve(opts.source);
  if (!fs.existsSync(source)) throw new ImportError(`${opts.source} does not exist`);
  if (opts.name && findDatasetByName(db, opts.name)) throw nameTaken(opts.name);
  removeAbandonedStaging(dataDir);
  const staging = newStagingDir(dataDir, 'import');
  fs.mkdirSync(staging, { recursive: true });
  try {
    const staged = await runImportProcess(
      {
        source,
        mask: opts.mask ? path.resolve(opts.mask) : null,
        size: opts.size ?? 128,
        seed: opts.seed ?? 1,
        limits: importLimitsSchema.parse(opts.limits ?? {}),
        staging,
        knownHashes: listDatasets(db).map((d) => d.contentHash),
      },
      opts.onProgress,
    );
    return await recordImport(db, dataDir, path.join(staging, STAGED_DATASET_FOLDER), staged, opts);
  } finally {
    // An extracted archive can hold thousands of files: removed off the event loop.
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/** How long a folder without its row is given to get one: another process (the command line on
 * the same DATA_DIR) may be between its rename and its insert. */
const ROW_GRACE_MS = 500;

/** The same content returns the stored version; new content is moved into place (one rename)
 * and recorded, and the folder goes again if the row cannot be written. Two imports of the same
 * content at once end with one version: the second finds the first's folder, waits for its row
 * and answers "already imported"; it never deletes a folder another import is recording. */
async function recordImport(db: Db, dataDir: string, stagedDir: string, staged: StagedImport, opts: ImportOptions): Promise<ImportResult> {
  const summary = { report: staged.report, imported: staged.count, skipped: staged.skipped, duplicateGroups: staged.duplicateGroups };
  const stored = () => listDatasets(db).find((d) => d.contentHash === staged.contentHash);
  const existing = stored();
  if (existing) return { dataset: existing, ...summary, alreadyImported: true };
  if (!staged.written) throw new ImportProcessError('the import process skipped writing a version that is not stored; import again');
  // Another import may have taken the name while this one ran.
  if (opts.name && findDatasetByName(db, opts.name)) throw nameTaken(opts.name);
  const id = `ds-${staged.contentHash.slice(0, 12)}`;
  const dir = path.join('datasets', id);
  const target = path.join(dataDir, dir);
  const row: DatasetRow = {
    id,
    name: opts.name ?? uniqueName(db, opts.suggestedName ?? path.basename(path.resolve(opts.source)).replace(/\.(zip|nii(\.gz)?)$/i, '')),
    kind: opts.kind ?? 'imported',
    contentHash: staged.contentHash,
    dir,
    imageSize: staged.imageSize,
    count: staged.count,
    classCounts: staged.classCounts,
    source: opts.sourceLabel ?? opts.source,
    duplicateGroups: staged.duplicateGroups,
    splits: staged.splits,
    anomalySplits: staged.anomalySplits,
    lineage: null,
    createdAt: Date.now(),
  };
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (fs.existsSync(target)) {
    await new Promise((resolve) => setTimeout(resolve, ROW_GRACE_MS));
    const recorded = stored();
    if (recorded) return { dataset: recorded, ...summary, alreadyImported: true };
    // Still no row: the remains of a process stopped between its rename and its insert. Moved
    // aside in one rename (not deleted in place), so a late insert elsewhere cannot lose files.
    const aside = path.join(dataDir, 'tmp', `stale-${id}-${process.pid}-${Date.now()}`);
    fs.mkdirSync(path.dirname(aside), { recursive: true });
    fs.renameSync(target, aside);
    fs.rmSync(aside, { recursive: true, force: true });
  }
  try {
    fs.renameSync(stagedDir, target);
  } catch (err) {
    // Another import moved the same content into place just now: its row follows.
    if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    await new Promise((resolve) => setTimeout(resolve, ROW_GRACE_MS));
    const recorded = stored();
    if (recorded) return { dataset: recorded, ...summary, alreadyImported: true };
    throw new ImportError('another import of the same data is being recorded; import again in a moment');
  }
  try {
    insertDataset(db, row);
  } catch (err) {
    fs.rmSync(target, { recursive: true, force: true });
    throw err;
  }
  opts.onProgress?.('write', 1, 1);
  return { dataset: row, ...summary, alreadyImported: false };
}
