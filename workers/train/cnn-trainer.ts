// BrainCNN training: a one-step trainer, batched inference, and the run's epochs (epoch-loop.ts)
// keeping the best epoch on validation (never on test), restored before the final evaluation, and
// stopping once `patience` epochs bring no validation improvement (early-stopping.ts).
import * as tf from '@tensorflow/tfjs';
import { buildBrainCnn } from '../models/cnn';
import type { SplitTensors } from '../data/tensors';
import { createRng } from '../../lib/rng';
import type { CnnConfig } from '../../lib/contracts/run-config';
import { DataParallelTrainer } from '../parallel/data-parallel';
import { METRICS } from '../../lib/contracts/metrics';
import { cnnLoss } from './losses';
import { replicaSource } from './replicas';
import { runEpochs, stepsOf, type TrainHooks } from './epoch-loop';
import { parallelResumable, threadResumable, trainableVariables, type Resumable, type ResumePoint } from './resume-state';
import { SeededDropout } from '../models/seeded-dropout';
import { EarlyStopping } from './early-stopping';

export interface StepResult {
  loss: number;
  accuracy: number;
}

/** One optimiser step on a batch; returns the batch loss and accuracy (before the update). */
export async function trainCnnStep(model: tf.LayersModel, optimizer: tf.Optimizer, xs: tf.Tensor4D, ys: tf.Tensor2D, variables = trainableVariables(model)): Promise<StepResult> {
  let correct: tf.Scalar | null = null;
  const loss = optimizer.minimize(
    () => {
      const out = cnnLoss(model, xs, ys);
      correct = tf.keep(tf.sum(out.correct) as tf.Scalar);
      return out.loss;
    },
    true,
    variables,
  ) as tf.Scalar;
  const [lossValue, correctValue] = await Promise.all([loss.data(), (correct as unknown as tf.Scalar).data()]);
  tf.dispose([loss, correct as unknown as tf.Scalar]);
  return { loss: lossValue[0], accuracy: correctValue[0] / xs.shape[0] };
}

/** Tumour probabilities and the mean cross-entropy over a split, in inference mode. */
export async function evaluateCnn(model: tf.LayersModel, data: SplitTensors, batchSize: number): Promise<{ probabilities: Float32Array; loss: number }> {
  const n = data.xs.shape[0];
  const probabilities = new Float32Array(n);
  let lossSum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const [probs, loss] = tf.tidy(() => {
      const x = data.xs.slice([start, 0, 0, 0], [end - start, -1, -1, -1]);
      const y = data.ys.slice([start, 0], [end - start, -1]);
      const logits = model.apply(x, { training: false }) as tf.Tensor2D;
      const lossSum = tf.mul(tf.losses.softmaxCrossEntropy(y, logits), end - start);
      return [tf.softmax(logits).slice([0, 1], [-1, 1]), lossSum];
    });
    probabilities.set(await probs.data(), start);
    lossSum += (await loss.data())[0];
    tf.dispose([probs, loss]);
  }
  return { probabilities, loss: lossSum / Math.max(1, n) };
}

export interface TrainedCnn {
  model: tf.Sequential;
  bestEpoch: number;
  epochsTrained: number;
  stoppedEarly: boolean;
  /** The best epoch on validation was the last one trained (see early-stopping.ts). */
  bestWasLast: boolean;
}

export interface CnnEngineOptions {
  /** Threads to split each batch over (data-parallel); 1 trains on this thread alone. */
  threads: number;
  backend: string;
}

/** A step function over one model, on this thread or split over several. */
export interface CnnStepper {
  model: tf.Sequential;
  step: (xs: tf.Tensor4D, ys: tf.Tensor2D) => Promise<StepResult>;
  /** Frees the optimiser state and any helper threads; the model stays. */
  close: () => Promise<void>;
  resumable: Resumable;
}

export async function cnnStepper(config: CnnConfig, engine: CnnEngineOptions): Promise<CnnStepper> {
  const spec = { imageSize: config.imageSize, width: config.width, dropout: config.dropout, seed: config.seed };
  if (engine.threads <= 1) {
    const model = buildBrainCnn(spec);
    const optimizer = tf.train.adam(config.learningRate);
    const variables = trainableVariables(model);
    const dropouts = model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
    return {
      model,
      step: (xs, ys) => trainCnnStep(model, optimizer, xs, ys, variables),
      close: async () => optimizer.dispose(),
      resumable: threadResumable({ model }, [{ optimizer, variables }], (step) => dropouts.forEach((d) => d.seek(step))),
    };
  }
  const trainer = await DataParallelTrainer.start(replicaSource({ kind: 'cnn', ...spec, learningRate: config.learningRate }), engine.threads, engine.backend);
  return {
    model: trainer.replica.models.model as tf.Sequential,
    step: async (xs, ys) => {
      const { loss, means } = await trainer.step(xs, ys);
      return { loss, accuracy: means.accuracy };
    },
    close: () => trainer.dispose(),
    resumable: parallelResumable(trainer),
  };
}

/** Where a resumable run keeps its state, and where the server says it stopped (null: it starts). */
export interface ResumeOptions {
  root: string;
  from: ResumePoint | null;
  /** See ResumeHooks.sync. */
  sync: () => Promise<void>;
  /** See ResumeHooks.saved. */
  saved?: () => Promise<void>;
}

export async function trainBrainCnn(config: CnnConfig, train: SplitTensors, val: SplitTensors, hooks: TrainHooks, engine: CnnEngineOptions = { threads: 1, backend: 'wasm' }, resume?: ResumeOptions): Promise<TrainedCnn> {
  const stepper = await cnnStepper(config, engine);
  try {
    return await trainWith(stepper, config, train, val, hooks, resume);
  } catch (err) {
    stepper.model.dispose();
    throw err;
  } finally {
    await stepper.close();
  }
}

async function trainWith({ model, step: trainStep, resumable }: CnnStepper, config: CnnConfig, train: SplitTensors, val: SplitTensors, hooks: TrainHooks, resume?: ResumeOptions): Promise<TrainedCnn> {
  const n = train.xs.shape[0];
  const loop = { batchSize: config.batchSize, epochs: config.epochs, partialBatch: true };
  const stopping = new EarlyStopping(config.patience);
  let bestWeights: tf.Tensor[] = [];
  const patience = config.patience === undefined ? '' : `, stopping after ${config.patience} without a validation improvement`;
  hooks.onLog(`training BrainCNN on ${n} images at ${config.imageSize}x${config.imageSize}, at most ${config.epochs} epochs of ${stepsOf(loop, n).perEpoch} steps${patience}`);
  let taken: { epochs: number; stoppedEarly: boolean };
  try {
    taken = await runEpochs({
      ...loop,
      train,
      rng: createRng(config.seed + 7919),
      hooks,
      step: async (xs, ys, index) => {
        const result = await trainStep(xs, ys!);
        if (!Number.isFinite(result.loss)) throw new Error(`training diverged: loss became ${result.loss} at step ${index}; lower the learning rate`);
        return { [METRICS.trainLoss]: result.loss, [METRICS.trainAccuracy]: result.accuracy };
      },
      endEpoch: async (epoch, step) => {
        const evaluation = await evaluateCnn(model, val, config.batchSize);
        const accuracy = accuracyAt(evaluation.probabilities, val.labels);
        hooks.onPoints([
          { step, epoch, name: METRICS.valLoss, value: evaluation.loss },
          { step, epoch, name: METRICS.valAccuracy, value: accuracy },
        ]);
        hooks.onLog(`epoch ${epoch}/${config.epochs}: validation loss ${evaluation.loss.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(1)}%`);
        const { improved, stop } = stopping.update(epoch, { accuracy, loss: evaluation.loss });
        if (improved) {
          tf.dispose(bestWeights);
          bestWeights = model.getWeights().map((w) => w.clone());
        }
        if (!stop) return;
        hooks.onLog(stopping.stoppedMessage());
        return 'stop';
      },
      resume: resume && {
        ...resume,
        trainer: resumable,
        save: () => ({ json: stopping.save(), tensors: { best: bestWeights } }),
        restore: ({ point, json, tensors }) => {
          tf.dispose(bestWeights);
          bestWeights = tensors.best ?? [];
          stopping.restore(savedStopping(json, point.epoch));
        },
        log: hooks.onLog,
      },
    });
  } catch (err) {
    tf.dispose(bestWeights);
    throw err;
  }
  model.setWeights(bestWeights);
  tf.dispose(bestWeights);
  const { bestEpoch, best } = stopping.state;
  hooks.onLog(`best epoch on validation: ${bestEpoch} of ${taken.epochs} (accuracy ${(best.accuracy * 100).toFixed(1)}%)`);
  if (stopping.bestWasLast) hooks.onLog(`the best epoch was the last one trained: the model may not have converged (raise the epochs)`);
  return { model, bestEpoch, epochsTrained: taken.epochs, stoppedEarly: taken.stoppedEarly, bestWasLast: stopping.bestWasLast };
}

/** The bookkeeping of a saved state; states written before early stopping hold only the best
 * epoch and its score, and the epoch they were saved after. */
function savedStopping(json: unknown, savedAfter: number): ReturnType<EarlyStopping['save']> {
  const saved = json as Partial<ReturnType<EarlyStopping['save']>> & { epoch?: number; accuracy: number; loss: number | null };
  const bestEpoch = saved.bestEpoch ?? saved.epoch ?? 0;
  return { bestEpoch, accuracy: saved.accuracy, loss: saved.loss, sinceBest: saved.sinceBest ?? savedAfter - bestEpoch, lastEpoch: saved.lastEpoch ?? savedAfter };
}

export function accuracyAt(probabilities: Float32Array, labels: Uint8Array, threshold = 0.5): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if ((probabilities[i] >= threshold ? 1 : 0) === labels[i]) correct++;
  return labels.length === 0 ? 0 : correct / labels.length;
}
