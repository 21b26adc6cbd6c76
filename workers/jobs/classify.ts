// The classify job: trains BrainCNN on real, synthetic or mixed training images, picks its best
// epoch on the real validation split and evaluates it once on the real test split.
import * as tf from '@tensorflow/tfjs';
import type { Job, ClassifierSummary, ResultCell } from '../../lib/contracts/events';
import type { CnnConfig } from '../../lib/contracts/run-config';
import { readDatasetFiles } from '../data/dataset-store';
import { capIndices, splitToTensors } from '../data/tensors';
import { trainingSet } from '../data/train-data';
import { trainBrainCnn, evaluateCnn } from '../train/cnn-trainer';
import { balancedAccuracy, binaryMetrics } from '../../lib/stats/classification';
import { scoreSummary } from '../eval/roc';
import type { JobContext } from './context';
import { threadsLabel } from '../parallel/threads';
import { resumeRoot } from '../train/resume-state';

export interface ClassifyOutcome<S> {
  summary: S;
  results: ResultCell[];
}

export const RESULT_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'auroc', 'balancedAccuracy'] as const;

/** The training data's description for logs: "real (1,050)" or "mixed: 1,050 real + 525 synthetic from X". */
export function describeTraining(kind: string, counts: { real: number; synthetic: number }, syntheticName?: string): string {
  const from = syntheticName ? ` from ${syntheticName}` : '';
  if (kind === 'real') return `${counts.real} real images`;
  if (kind === 'synthetic') return `${counts.synthetic} synthetic images${from}`;
  return `${counts.real} real + ${counts.synthetic} synthetic images${from}`;
}

export async function runClassifyJob(job: Job, ctx: JobContext): Promise<ClassifyOutcome<ClassifierSummary>> {
  const started = Date.now();
  if (job.config.model !== 'cnn') throw new Error(`the classify job cannot train a ${job.config.model}`);
  const config: CnnConfig = job.config;
  const files = readDatasetFiles(job.dataset.dir);
  const synthetic = job.synthetic ? { files: readDatasetFiles(job.synthetic.dir), indices: job.synthetic.splits.train } : null;
  const real = (name: 'val' | 'test', salt: number) => splitToTensors(files, capIndices(job.dataset.splits[name], config.limits[name], config.seed + salt), config.imageSize);
  const train = trainingSet(config.trainData, { files, indices: job.dataset.splits.train }, synthetic, { mixRatio: config.mixRatio, cap: config.limits.train, seed: config.seed, imageSize: config.imageSize });
  const val = real('val', 2);
  const test = real('test', 3);
  ctx.log('info', `training on ${describeTraining(config.trainData, train.counts, job.synthetic?.name)}; validation ${val.labels.length} / test ${test.labels.length} real images of ${job.dataset.name}; backend ${ctx.backend}, ${threadsLabel(ctx.threads)}`);
  try {
    const { model, bestEpoch, epochsTrained, stoppedEarly, bestWasLast } = await trainBrainCnn(config, train, val, {
      onPoints: ctx.metrics,
      onProgress: ctx.progress,
      onLog: (message) => ctx.log('info', message),
      shouldStop: ctx.shouldStop,
    }, { threads: ctx.threads, backend: ctx.backend }, { root: resumeRoot(job.paths.artifacts), from: job.resume, sync: ctx.sync, saved: ctx.saved });
    const { probabilities } = await evaluateCnn(model, test, config.batchSize);
    model.dispose();
    const predicted = Array.from(probabilities, (p) => (p >= 0.5 ? 1 : 0));
    const metrics = binaryMetrics(test.labels, predicted);
    const scores = scoreSummary(probabilities, test.labels);
    const seconds = (Date.now() - started) / 1000;
    ctx.log('info', `test: accuracy ${(metrics.accuracy * 100).toFixed(2)}%, precision ${(metrics.precision * 100).toFixed(2)}%, recall ${(metrics.recall * 100).toFixed(2)}%, F1 ${(metrics.f1 * 100).toFixed(2)}%, AUROC ${scores.auroc.toFixed(3)} (${seconds.toFixed(1)} s)`);
    const summary: ClassifierSummary = { ...metrics, bestEpoch, testSize: test.labels.length, seconds, scores, trainImages: train.counts, threads: ctx.threads, epochsTrained, stoppedEarly, mayNotHaveConverged: bestWasLast };
    const values = { ...metrics, auroc: scores.auroc, balancedAccuracy: balancedAccuracy(metrics.confusion) };
    const results: ResultCell[] = RESULT_METRICS.map((metric) => ({ model: 'cnn', technique: '', trainData: config.trainData, seed: config.seed, metric, value: values[metric] }));
    return { summary, results };
  } finally {
    tf.dispose([train.xs, train.ys, val.xs, val.ys, test.xs, test.ys]);
  }
}
