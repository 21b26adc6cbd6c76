// Comparison-table cells: mean and 95% CI over seeds, and the chance-level flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancedAccuracy, isChanceLevel, meanCi, summarizeCells } from '../../lib/stats/table';

test('mean and Student-t 95% interval of known values', () => {
  // values 1,2,3: mean 2, sd 1, half width t(2)=4.303 * 1/sqrt(3) = 2.4843
  const { mean, ciLow, ciHigh } = meanCi([1, 2, 3]);
  assert.equal(mean, 2);
  assert.ok(Math.abs(ciLow! - (2 - 2.48434)) < 1e-4 && Math.abs(ciHigh! - (2 + 2.48434)) < 1e-4);
  assert.deepEqual(meanCi([0.9]), { mean: 0.9, ciLow: null, ciHigh: null });
});

test('rows group by model, technique, train data and metric; chance accuracy is flagged', () => {
  const row = (runId: string, seed: number, value: number, trainData = 'real') => ({ runId, datasetId: 'd', model: 'cnn', technique: '', trainData, seed, metric: 'accuracy', value });
  const cells = summarizeCells([row('a', 0, 0.9), row('b', 1, 0.94), row('c', 0, 0.51, 'mixed')]);
  const real = cells.find((c) => c.trainData === 'real')!;
  assert.equal(real.n, 2);
  assert.ok(Math.abs(real.mean - 0.92) < 1e-12);
  assert.deepEqual(real.runIds, ['a', 'b']);
  assert.equal(real.chanceLevel, false);
  assert.equal(cells.find((c) => c.trainData === 'mixed')!.chanceLevel, true);
});

test('chance level is judged on balanced accuracy: all-tumour predictions on a tumour-heavy test set are flagged', () => {
  // 30 tumour + 7 healthy test images, everything called tumour: 81% accuracy, 50% balanced.
  const confusion = { tp: 30, fp: 7, tn: 0, fn: 0 };
  assert.equal(balancedAccuracy(confusion), 0.5);
  assert.equal(isChanceLevel(confusion), true);
  assert.equal(isChanceLevel({ tp: 28, fp: 1, tn: 6, fn: 2 }), false);
  const row = (metric: string, value: number) => ({ runId: 'r', datasetId: 'd', model: 'cvae', technique: 'giaem', trainData: 'real', seed: 0, metric, value });
  const cells = summarizeCells([row('accuracy', 30 / 37), row('balancedAccuracy', 0.5), row('f1', 0.9)]);
  assert.ok(cells.every((c) => c.chanceLevel), 'every cell of the pair carries the flag');
});

test('a cell names its runs whose best epoch was their last; cells without such runs carry no mark', () => {
  const row = (runId: string, seed: number, trainData = 'real') => ({ runId, datasetId: 'd', model: 'cnn', technique: '', trainData, seed, metric: 'accuracy', value: 0.9 });
  const cells = summarizeCells([row('a', 0), row('b', 1), row('c', 0, 'mixed')], new Set(['b']));
  assert.deepEqual(cells.find((c) => c.trainData === 'real')!.notConverged, ['b']);
  assert.equal('notConverged' in cells.find((c) => c.trainData === 'mixed')!, false);
});
