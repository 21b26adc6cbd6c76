// Comparison-table cells: mean and 95% CI over seeds, and the chance-level flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanCi, summarizeCells } from '../../server/results/table';

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
