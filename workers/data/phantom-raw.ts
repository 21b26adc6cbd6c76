// Raw, Br35H-like demo data written as a folder of JPEGs (yes/, no/, a few augmented near-copies),
// so the embedded demo goes through the same import and preprocessing as a real download.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Rng, hashSeed } from './phantom-math';
import { augmentCopy } from './phantom-raw-jpeg';
import { pick } from './phantom-raw-layout';
import { rawFileName, renderRawSlice } from './phantom-raw-slice';

// The copies' random stream; distinct from the phantom's (which hashes 3 parts, this 4) and from
// STREAM_LAYOUT of one file (phantom-raw-slice.ts).
const STREAM_COPIES = 0x636f;

export interface RawDatasetResult {
  files: number;
  duplicates: number;
  /** Ground truth for leakage checks: each augmented copy and the file it was made from, relative to dir. */
  pairs: Array<{ copy: string; source: string }>;
}

/** Runs fn over items with at most `limit` in flight; stops taking new items after the first failure. */
async function runPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  const results = await Promise.allSettled(lanes);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** How many files may be rendered/encoded at once: sharp encodes on libuv's pool while JS renders the next. */
const IN_FLIGHT = 8;

/**
 * Writes a raw demo dataset as `dir/yes/y<N>.jpg` and `dir/no/no<N>.jpg`, N = 0..perClass-1.
 * About `duplicateShare` of each class are augmented copies of an earlier file of the same class.
 * Everything is written to a sibling staging folder `<dir>.partial-*` that is renamed to `dir` at
 * the end, so an interrupted run never leaves a half-written dataset at `dir` (a crash can leave
 * the staging folder, which is clearly named). `dir` must not exist or be empty.
 */
export async function writeRawDemoDataset(
  dir: string,
  opts: { seed: number; perClass: number; duplicateShare?: number; onProgress?: (done: number, total: number) => void },
): Promise<RawDatasetResult> {
  const { seed, perClass, onProgress } = opts;
  const share = opts.duplicateShare ?? 0.05;
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`perClass must be a positive integer, got ${perClass}`);
  if (!(share >= 0 && share <= 0.5)) throw new RangeError(`duplicateShare must be in [0, 0.5], got ${share}`);
  const target = path.resolve(dir);
  await assertEmptyOrMissing(target);
  await mkdir(path.dirname(target), { recursive: true });
  const staging = `${target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;

  interface Job { tumor: boolean; index: number; source?: number }
  const originals: Job[] = [];
  const copies: Job[] = [];
  for (const tumor of [true, false]) {
    const rng = new Rng(hashSeed(seed, tumor ? 1 : 0, perClass, STREAM_COPIES));
    // File 0 is never a copy, so every copy has an earlier original to come from.
    const count = Math.min(Math.round(perClass * share), perClass - 1);
    const candidates = Array.from({ length: perClass - 1 }, (_, i) => i + 1);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rng.next() * (candidates.length - i));
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
    }
    const copyAt = new Set(candidates.slice(0, count));
    const originalsSoFar: number[] = [];
    for (let index = 0; index < perClass; index++) {
      if (copyAt.has(index)) copies.push({ tumor, index, source: pick(rng, originalsSoFar) });
      else {
        originals.push({ tumor, index });
        originalsSoFar.push(index);
      }
    }
  }
  // Interleave classes so progress and timing are even across the run.
  originals.sort((a, b) => a.index - b.index || Number(b.tumor) - Number(a.tumor));

  const total = 2 * perClass;
  let done = 0;
  const report = () => {
    done++;
    if (onProgress && (done % 50 === 0 || done === total)) onProgress(done, total);
  };
  const folder = (tumor: boolean) => path.join(staging, tumor ? 'yes' : 'no');
  const pairs: RawDatasetResult['pairs'] = [];
  try {
    await mkdir(folder(true), { recursive: true });
    await mkdir(folder(false), { recursive: true });
    await runPool(originals, IN_FLIGHT, async ({ tumor, index }) => {
      const slice = await renderRawSlice({ seed, index, tumor });
      await writeFile(path.join(folder(tumor), slice.file), slice.jpeg);
      report();
    });
    // Copies read their (already written) source back, as an augmentation script would.
    await runPool(copies, IN_FLIGHT, async ({ tumor, index, source }) => {
      const sourceFile = rawFileName(source!, tumor);
      const rng = new Rng(hashSeed(seed, index, tumor ? 1 : 0, STREAM_COPIES));
      const jpeg = await augmentCopy(await readFile(path.join(folder(tumor), sourceFile)), rng);
      const file = rawFileName(index, tumor);
      await writeFile(path.join(folder(tumor), file), jpeg);
      const sub = tumor ? 'yes' : 'no';
      pairs.push({ copy: `${sub}/${file}`, source: `${sub}/${sourceFile}` });
      report();
    });
    await assertEmptyOrMissing(target);
    await rmdir(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  pairs.sort((a, b) => a.copy.localeCompare(b.copy, 'en', { numeric: true }));
  return { files: total, duplicates: copies.length, pairs };
}

async function assertEmptyOrMissing(target: string): Promise<void> {
  try {
    const entries = await readdir(target);
    if (entries.length > 0) {
      throw new Error(`${target} already exists and is not empty; choose a new folder or delete it first`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new Error(`${target} exists and is not a folder`);
    throw err;
  }
}
