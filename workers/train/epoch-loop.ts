// The one epoch loop every training run goes through (BrainCNN, BrainCVAE, VAE, GAN): shuffle
// with the run's seeded RNG, gather each batch, take one step, stream its metrics and progress,
// check for cancellation and yield to the event loop between steps, then hand each epoch to the
// caller (validation, best epoch, checkpoints), which may end the run there (early stopping).
import * as tf from '@tensorflow/tfjs';
import { shuffleInPlace, type Rng } from '../../lib/rng';
import type { MetricPoint } from '../../lib/contracts/events';
import type { MetricName } from '../../lib/contracts/metrics';
import { loadResumeState, saveResumeState, type Resumable, type ResumePoint } from './resume-state';

export interface TrainHooks {
  onPoints: (points: MetricPoint[]) => void;
  onProgress: (epoch: number, step: number, totalSteps: number) => void;
  onLog: (message: string) => void;
  shouldStop: () => boolean;
}

export class RunStoppedError extends Error {}

/** A step's metrics by name, in the order they are streamed. */
export type StepMetrics = Partial<Record<MetricName, number>>;

export interface EpochLoop {
  /** The training images, and their one-hot labels for a classifier. */
  train: { xs: tf.Tensor4D; ys?: tf.Tensor2D };
  batchSize: number;
  epochs: number;
  /** Whether an epoch ends on a smaller batch with the rows left over (BrainCNN), or leaves
   * them out (the generators and the BrainCVAE). */
  partialBatch: boolean;
  /** Shuffles the rows at the start of every epoch. */
  rng: Rng;
  /** One optimiser step on a gathered batch (ys null without labels); `index` counts the run's
   * steps before this one. The loop frees the batch afterwards. */
  step: (xs: tf.Tensor4D, ys: tf.Tensor2D | null, index: number) => Promise<StepMetrics>;
  hooks: Pick<TrainHooks, 'onPoints' | 'onProgress' | 'shouldStop'>;
  /** After a step's points and progress (the generators' sample grids). */
  afterStep?: (step: number, totalSteps: number) => Promise<void>;
  /** After an epoch's steps, with the epoch's mean of every step metric. Returning 'stop' ends
   * the run after this epoch (early stopping): the loop returns normally with progress complete. */
  endEpoch: (epoch: number, step: number, means: StepMetrics) => Promise<void | 'stop'>;
  /** Resumable training (see resume-state.ts): the state is saved after every epoch and, when
   * `from` is set, loaded before the loop goes on with the next epoch. */
  resume?: ResumeHooks;
}

export interface ResumeHooks {
  /** The run's resume folder. */
  root: string;
  /** Where the server says the run stopped; null: from the start. */
  from: ResumePoint | null;
  trainer: Resumable;
  /** The caller's bookkeeping after an epoch (best epoch, kept checkpoints…), saved with it. */
  save: () => { json: unknown; tensors?: Record<string, tf.Tensor[]> };
  /** Takes the bookkeeping back when resuming; the tensors become the caller's. */
  restore: (saved: { point: ResumePoint; json: unknown; tensors: Record<string, tf.Tensor[]> }) => void;
  log: (message: string) => void;
  /** Resolves once the server holds every point and image streamed so far: the state saved next
   * must not cover a step whose points could still be lost. */
  sync: () => Promise<void>;
  /** After the state is written: an agent on another machine uploads it (and the epoch's
   * checkpoint) before training goes on, so a lost agent's run resumes from it elsewhere. */
  saved?: () => Promise<void>;
}

/** Steps per epoch and in all, as the loop will take them. */
export function stepsOf({ batchSize, epochs, partialBatch }: Pick<EpochLoop, 'batchSize' | 'epochs' | 'partialBatch'>, images: number) {
  const perEpoch = partialBatch ? Math.ceil(images / batchSize) : Math.floor(images / batchSize);
  return { perEpoch, total: perEpoch * epochs };
}

/** Runs every epoch, or up to the one whose endEpoch says 'stop'; returns the steps and epochs
 * taken. Throws RunStoppedError once shouldStop says so. */
export async function runEpochs(loop: EpochLoop): Promise<{ steps: number; epochs: number; stoppedEarly: boolean }> {
  const { train, batchSize, rng, hooks } = loop;
  const n = train.xs.shape[0];
  const { perEpoch, total } = stepsOf(loop, n);
  let step = 0;
  let first = 1;
  const from = loop.resume?.from;
  if (loop.resume && from) {
    if (from.step !== from.epoch * perEpoch) throw new Error(`cannot resume at step ${from.step} of epoch ${from.epoch}: this run takes ${perEpoch} steps per epoch`);
    const loaded = await loadResumeState(loop.resume.root, loop.resume.trainer, from);
    loop.resume.restore(loaded);
    // The shuffles of the epochs done, replayed: the RNG goes on where it stopped.
    for (let e = 1; e <= from.epoch; e++) shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng);
    step = from.step;
    first = from.epoch + 1;
    loop.resume.log(`resumed after epoch ${from.epoch} (step ${from.step}): weights, optimiser state and data order restored`);
  }
  for (let epoch = first; epoch <= loop.epochs; epoch++) {
    const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng);
    const values = new Map<MetricName, number[]>();
    for (let b = 0; b < perEpoch; b++) {
      if (hooks.shouldStop()) throw new RunStoppedError('the run was cancelled');
      const rows = tf.tensor1d(order.slice(b * batchSize, (b + 1) * batchSize), 'int32');
      const xs = tf.gather(train.xs, rows);
      const ys = train.ys ? tf.gather(train.ys, rows) : null;
      const metrics = await loop.step(xs, ys, step).finally(() => tf.dispose([rows, xs, ...(ys ? [ys] : [])]));
      step++;
      const at = epoch - 1 + (b + 1) / perEpoch;
      const entries = Object.entries(metrics) as [MetricName, number][];
      hooks.onPoints(entries.map(([name, value]) => ({ step, epoch: at, name, value })));
      for (const [name, value] of entries) {
        if (!values.has(name)) values.set(name, []);
        values.get(name)!.push(value);
      }
      hooks.onProgress(at, step, total);
      await loop.afterStep?.(step, total);
      // Let socket.io flush and cancellation messages arrive between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const means: StepMetrics = Object.fromEntries([...values].map(([name, v]) => [name, v.reduce((a, x) => a + x, 0) / v.length]));
    const verdict = await loop.endEpoch(epoch, step, means);
    if (verdict === 'stop') {
      // Done: no state to save, as the run ends here; the bar shows the shortened run complete.
      hooks.onProgress(epoch, step, step);
      return { steps: step, epochs: epoch, stoppedEarly: epoch < loop.epochs };
    }
    if (loop.resume) {
      await loop.resume.sync();
      await saveResumeState(loop.resume.root, loop.resume.trainer, { epoch, step }, loop.resume.save());
      await loop.resume.saved?.();
    }
  }
  return { steps: step, epochs: loop.epochs, stoppedEarly: false };
}
