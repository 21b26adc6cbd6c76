// The epoch loop every run trains through: each epoch visits the images in the order the run's
// seed shuffles them (so a seed repeats its run), keeps or drops the last partial batch as the
// model asks, streams points, progress and epoch means, stops on cancellation, and leaves no
// tensor behind, even when a step fails.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../workers/engine/backend';
import { RunStoppedError, runEpochs, type EpochLoop } from '../../workers/train/epoch-loop';
import { createRng, shuffleInPlace } from '../../lib/rng';
import { METRICS } from '../../lib/contracts/metrics';
import type { MetricPoint } from '../../lib/contracts/events';

before(async () => {
  await initEngine();
});

/** Ten one-pixel images whose value is their row, with one-hot labels of the row's parity. */
function images(n = 10) {
  return tf.tidy(() => ({
    xs: tf.tensor4d(Array.from({ length: n }, (_, i) => i), [n, 1, 1, 1]),
    ys: tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2), 'int32'), 2).toFloat() as tf.Tensor2D,
  }));
}

function loop(train: EpochLoop['train'], overrides: Partial<EpochLoop> = {}) {
  const batches: number[][] = [];
  const points: MetricPoint[] = [];
  const progress: number[][] = [];
  const epochs: { epoch: number; step: number; means: Record<string, number | undefined> }[] = [];
  const config: EpochLoop = {
    train,
    batchSize: 4,
    epochs: 2,
    partialBatch: true,
    rng: createRng(7),
    hooks: { onPoints: (p) => points.push(...p), onProgress: (...args) => progress.push(args), shouldStop: () => false },
    step: async (xs, ys) => {
      const rows = Array.from(await xs.data());
      if (ys) {
        const labels = tf.argMax(ys, 1);
        assert.deepEqual(Array.from(await labels.data()), rows.map((r) => r % 2), 'labels must follow their images');
        labels.dispose();
      }
      batches.push(rows);
      return { [METRICS.trainLoss]: rows.length, [METRICS.trainAccuracy]: rows[0] };
    },
    endEpoch: async (epoch, step, means) => void epochs.push({ epoch, step, means }),
    ...overrides,
  };
  return { config, batches, points, progress, epochs };
}

test('every epoch takes the images in the seeded shuffle order, the last partial batch included', async () => {
  const train = images();
  const { config, batches, points, progress, epochs } = loop(train);
  const { steps } = await runEpochs(config);
  const rng = createRng(7);
  const orders = [0, 1].map(() => shuffleInPlace(Array.from({ length: 10 }, (_, i) => i), rng));
  assert.deepEqual(batches, orders.flatMap((o) => [o.slice(0, 4), o.slice(4, 8), o.slice(8)]));
  assert.equal(steps, 6);
  assert.deepEqual(points.slice(0, 2), [
    { step: 1, epoch: 1 / 3, name: METRICS.trainLoss, value: 4 },
    { step: 1, epoch: 1 / 3, name: METRICS.trainAccuracy, value: orders[0][0] },
  ]);
  assert.deepEqual(progress.map(([, step, total]) => [step, total]), [1, 2, 3, 4, 5, 6].map((s) => [s, 6]));
  assert.deepEqual(epochs.map(({ epoch, step, means }) => [epoch, step, means[METRICS.trainLoss]]), [[1, 3, 10 / 3], [2, 6, 10 / 3]]);
  tf.dispose([train.xs, train.ys!]);
});

test('without partial batches an epoch drops the rows that do not fill one', async () => {
  const train = images();
  const { config, batches } = loop({ xs: train.xs }, { partialBatch: false });
  assert.equal((await runEpochs(config)).steps, 4);
  assert.ok(batches.every((b) => b.length === 4));
  tf.dispose([train.xs, train.ys!]);
});

test('the tensor count stays flat over the steps and the run', async () => {
  const train = images();
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  const { config } = loop(train, { afterStep: async () => void counts.push(tf.memory().numTensors) });
  await runEpochs(config);
  assert.deepEqual(new Set(counts), new Set([before]));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([train.xs, train.ys!]);
});

test('a cancelled run stops before its next step, and a failed step frees its batch', async () => {
  const train = images();
  const before = tf.memory().numTensors;
  const stopped = loop(train);
  let calls = 0;
  stopped.config.hooks = { ...stopped.config.hooks, shouldStop: () => ++calls > 2 };
  await assert.rejects(runEpochs(stopped.config), RunStoppedError);
  assert.equal(stopped.batches.length, 2);
  const failing = loop(train, { step: async () => { throw new Error('step failed'); } });
  await assert.rejects(runEpochs(failing.config), /step failed/);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([train.xs, train.ys!]);
});
