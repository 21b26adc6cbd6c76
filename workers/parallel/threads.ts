// How many threads a run trains on. The wasm and cpu backends run a step on one thread, so a run
// alone on the machine splits its batches over every core (data-parallel), while runs side by side
// share the cores out. TensorFlow's native backends thread their own kernels: they get one.
export interface ThreadChoice {
  backend: string;
  /** Runs training at once on this server, this one included. */
  concurrentRuns: number;
  cores: number;
  /** TRAIN_THREADS, when set. */
  override?: number;
}

export function trainThreads({ backend, concurrentRuns, cores, override }: ThreadChoice): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 1;
  if (override !== undefined) return Math.max(1, override);
  return Math.max(1, Math.floor(cores / Math.max(1, concurrentRuns)));
}

/** "1 thread" or "2 threads (data-parallel)", for run logs. */
export function threadsLabel(threads: number): string {
  return threads === 1 ? '1 thread' : `${threads} threads (data-parallel)`;
}
