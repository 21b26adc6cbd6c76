// Decoding and preprocessing an import's images over the cores: one thread per core and one more
// (node's worker_threads; sharp keeps its own threads under each), each taking the next image as
// soon as it is done with one. Profiled on 600 demo JPEGs, this work is ~90 % of an import and
// ran on one thread before. Results come back by image index, so the dataset (and its content
// hash) does not depend on how many threads there are or which finishes first.
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface DecodeTask {
  id: number;
  file: string;
  size: number;
  maxFileBytes: number;
  maxPixels: number;
  /** Also send back the decoded grey image (a before/after preview sample). */
  keepGray: boolean;
}

/** An image decoded, or skipped with the reason a person reads in the import report. */
export type DecodeOutcome =
  | { id: number; ok: true; image: Uint8Array; descriptor: Float32Array; gray: { data: Uint8Array; width: number; height: number } | null }
  | { id: number; ok: false; fatal: false; reason: string };
/** What a thread answers: an outcome, or an unexpected error (fatal) that stops the import. */
export type DecodeResult = DecodeOutcome | { id: number; ok: false; fatal: true; reason: string };

const ENTRY = new URL('../../parallel/thread-entry.mjs', import.meta.url);
const THREAD = new URL('./decode-thread.ts', import.meta.url).href;

/** Threads an import decodes on: the cores and one more, at most 8 (IMPORT_THREADS overrides).
 *  Each image hands its decode and its resize to sharp, and its thread waits meanwhile: with one
 *  thread per core the cores were busy 1.6 of 2, with one more 1.8 of 2 (3,000 demo JPEGs on 2
 *  cores, paired rounds: 29.1-37.8 -> 25.1-33.5 s wall), with two more no faster (27.1-28.8 s). */
export function importThreads(): number {
  const override = Number(process.env.IMPORT_THREADS);
  if (Number.isInteger(override) && override >= 1) return Math.min(override, 64);
  return Math.max(1, Math.min(8, os.availableParallelism() + 1));
}

/** Runs every task over `threads` threads; `onResult` is called as each finishes (any order).
 * An unexpected error in a thread (not a skipped image) rejects with it, after stopping them all. */
export async function decodeAll(tasks: DecodeTask[], threads: number, onResult: (result: DecodeOutcome) => void): Promise<void> {
  if (tasks.length === 0) return;
  const workers = Array.from({ length: Math.min(threads, tasks.length) }, () => new Worker(ENTRY, { workerData: { entry: THREAD } }));
  let next = 0;
  let finished = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const feed = (worker: Worker) => {
        if (next < tasks.length) worker.postMessage(tasks[next++]);
      };
      for (const worker of workers) {
        worker.on('message', (message: DecodeResult | { ready: true }) => {
          if ('ready' in message) return feed(worker);
          if (!message.ok && message.fatal) return reject(new Error(message.reason));
          onResult(message);
          if (++finished === tasks.length) return resolve();
          feed(worker);
        });
        worker.once('error', reject);
        worker.once('exit', (code) => finished < tasks.length && reject(new Error(`an import decode thread exited (code ${code}) before the import finished`)));
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
