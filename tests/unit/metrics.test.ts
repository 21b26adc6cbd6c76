// Classification metrics against hand-computed cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryMetrics, confusionMatrix } from '../../lib/stats/classification';

test('confusion matrix and metrics match a hand-computed case', () => {
  // truth:     1 1 1 1 0 0 0 0 0 0
  // predicted: 1 1 1 0 1 0 0 0 0 0  -> tp 3, fn 1, fp 1, tn 5
  const truth = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const predicted = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0];
  assert.deepEqual(confusionMatrix(truth, predicted), { tp: 3, fp: 1, tn: 5, fn: 1 });
  const m = binaryMetrics(truth, predicted);
  assert.equal(m.accuracy, 0.8);
  assert.equal(m.precision, 0.75);
  assert.equal(m.recall, 0.75);
  assert.equal(m.f1, 0.75);
});

test('a classifier that never predicts tumour gets zero precision, recall and F1, not NaN', () => {
  const m = binaryMetrics([1, 0, 1, 0], [0, 0, 0, 0]);
  assert.deepEqual([m.accuracy, m.precision, m.recall, m.f1], [0.5, 0, 0, 0]);
});

test('predicting tumour everywhere gives full recall and precision equal to prevalence', () => {
  const m = binaryMetrics([1, 0, 0, 0], [1, 1, 1, 1]);
  assert.equal(m.recall, 1);
  assert.equal(m.precision, 0.25);
  assert.equal(m.f1, 0.4);
});

test('mismatched lengths are an error', () => {
  assert.throws(() => binaryMetrics([1, 0], [1]), /2 labels but 1 predictions/);
});
