// How many threads a run trains on. The wasm and cpu backends run a step on one thread, so a run
// alone on the machine splits its batches over every core (data-parallel), while runs side by side
// share the cores out. TensorFlow's native backends thread their own kernels: they get one.
export interface ThreadChoice {
  backend: string;
  /** The run's image size: below MIN_PARALLEL_SIZE a run stays on one thread. */
  imageSize: number;
  /** Runs training at once on this server, this one included. */
  concurrentRuns: number;
  cores: number;
  /** TRAIN_THREADS, when set. */
  override?: number;
}

/** Measured: a `smoke` BrainCNN (32x32, width 1/4) alone took 1.6 s on one thread and 2.4 s on
 * two (starting a thread's engine outweighs such small steps); a `quick` one (64x64, width 1/2)
 * 112 s and 88 s. */
export const MIN_PARALLEL_SIZE = 64;

export function trainThreads({ backend, imageSize, concurrentRuns, cores, override }: ThreadChoice): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 1;
  if (override !== undefined) return Math.max(1, override);
  if (imageSize < MIN_PARALLEL_SIZE) return 1;
  return Math.max(1, Math.floor(cores / Math.max(1, concurrentRuns)));
}

/** "1 thread" or "2 threads (data-parallel)", for run logs. */
export function threadsLabel(threads: number): string {
  return threads === 1 ? '1 thread' : `${threads} threads (data-parallel)`;
}
