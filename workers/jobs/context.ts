// What a job may do while it runs: report points, progress and logs, and ask whether to stop.
import type { MetricPoint } from '../../lib/contracts/events';

export interface JobContext {
  backend: string;
  /** Threads this run may train on (data-parallel); 1 on multi-threaded (native) backends. */
  threads: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  metrics: (points: MetricPoint[]) => void;
  progress: (epoch: number, step: number, totalSteps: number) => void;
  /** A PNG the run produced at a step (a sample grid, or the real images beside it). */
  image: (step: number, kind: 'samples' | 'real' | 'heatmap', png: Buffer) => void;
  shouldStop: () => boolean;
  /** Resolves once the server has stored everything this run sent so far (before its state is
   * saved, so a resumed run never skips a step the server did not get). */
  sync: () => Promise<void>;
  /** The epoch's state (and checkpoint) is written: an agent on another machine uploads it now. */
  saved?: () => Promise<void>;
}
