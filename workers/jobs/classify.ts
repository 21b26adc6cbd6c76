// The classify job: trains a classifier on the dataset's training split, picks its best epoch on
// validation and evaluates it once on the real test split.
import * as tf from '@tensorflow/tfjs';
import type { Job, ClassifierSummary, ResultCell } from '../../server/contracts/events';
import { readDatasetFiles } from '../data/dataset-store';
import { capIndices, splitToTensors } from '../data/tensors';
import { trainBrainCnn, evaluateCnn } from '../train/cnn-trainer';
import { binaryMetrics } from '../eval/metrics';
import type { JobContext } from './context';

export interface ClassifyOutcome {
  summary: ClassifierSummary;
  results: ResultCell[];
}

type StoredSplits = Job['dataset']['splits'];

export async function runClassifyJob(job: Job, ctx: JobContext): Promise<ClassifyOutcome> {
  const started = Date.now();
  const { config } = job;
  if (config.model !== 'cnn') throw new Error(`the classify job cannot train a ${config.model}`);
  const files = readDatasetFiles(job.dataset.dir);
  const part = (name: keyof StoredSplits, salt: number) => splitToTensors(files, capIndices(job.dataset.splits[name], config.limits[name], config.seed + salt), config.imageSize);
  const train = part('train', 1);
  const val = part('val', 2);
  const test = part('test', 3);
  ctx.log('info', `dataset ${job.dataset.name}: ${train.labels.length} train / ${val.labels.length} validation / ${test.labels.length} test images; backend ${ctx.backend}`);
  try {
    const { model, bestEpoch } = await trainBrainCnn(config, train, val, {
      onPoints: ctx.metrics,
      onProgress: ctx.progress,
      onLog: (message) => ctx.log('info', message),
      shouldStop: ctx.shouldStop,
    });
    const { probabilities } = await evaluateCnn(model, test, config.batchSize);
    model.dispose();
    const predicted = Array.from(probabilities, (p) => (p >= 0.5 ? 1 : 0));
    const metrics = binaryMetrics(test.labels, predicted);
    const seconds = (Date.now() - started) / 1000;
    ctx.log('info', `test: accuracy ${(metrics.accuracy * 100).toFixed(2)}%, precision ${(metrics.precision * 100).toFixed(2)}%, recall ${(metrics.recall * 100).toFixed(2)}%, F1 ${(metrics.f1 * 100).toFixed(2)}% (${seconds.toFixed(1)} s)`);
    const summary: ClassifierSummary = { ...metrics, bestEpoch, testSize: test.labels.length, seconds };
    const results: ResultCell[] = (['accuracy', 'precision', 'recall', 'f1'] as const).map((metric) => ({
      model: config.model,
      technique: '',
      trainData: config.trainData,
      seed: config.seed,
      metric,
      value: metrics[metric],
    }));
    return { summary, results };
  } finally {
    tf.dispose([train.xs, train.ys, val.xs, val.ys, test.xs, test.ys]);
  }
}
