// ROC / PR curves and their areas against hand-computed cases with ties, and the storage
// downsampler keeping a long curve's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../lib/rng';
import { auprc, auroc, downsamplePr, downsampleRoc, prCurve, rocCurve, sensitivityAtSpecificity } from '../../workers/eval/roc';

// 4 tumour, 3 healthy; 0.8 and 0.4 are tied across the classes.
const scores = [0.9, 0.8, 0.8, 0.6, 0.4, 0.4, 0.2];
const labels = [1, 1, 0, 1, 0, 1, 0];
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);

/** Mann-Whitney U / (n+ n-) by brute force over all (tumour, healthy) pairs, ties counting 1/2. */
function mannWhitney(s: number[], l: number[]): number {
  let u = 0;
  let pairs = 0;
  s.forEach((a, i) => s.forEach((b, j) => {
    if (l[i] !== 1 || l[j] !== 0) return;
    pairs++;
    u += a > b ? 1 : a === b ? 0.5 : 0;
  }));
  return u / pairs;
}

test('ROC curve of a hand-computed case: one point per distinct score, from (0, 0) to (1, 1)', () => {
  const roc = rocCurve(scores, labels);
  assert.deepEqual(roc.thresholds, [Infinity, 0.9, 0.8, 0.6, 0.4, 0.2]);
  assert.deepEqual(roc.tpr, [0, 0.25, 0.5, 0.75, 1, 1]);
  assert.deepEqual(roc.fpr, [0, 0, 1 / 3, 1 / 3, 2 / 3, 1]);
  // Trapezoids: 1/3 * 0.375 + 1/3 * 0.875 + 1/3 * 1 = 0.75; pairs: (3 + 2.5 + 2 + 1.5) / 12 = 0.75.
  close(auroc(scores, labels), 0.75, 'AUROC');
  close(mannWhitney(scores, labels), 0.75, 'U');
});

test('AUROC equals the Mann-Whitney statistic on random scores with many ties', () => {
  const rng = createRng(7);
  const l = Array.from({ length: 300 }, () => (rng() < 0.4 ? 1 : 0));
  const s = l.map((y) => Math.round((rng() + 0.3 * y) * 10) / 10);
  close(auroc(s, l), mannWhitney(s, l), 'AUROC vs U');
  assert.equal(auroc([1, 2, 3, 4], [0, 0, 1, 1]), 1);
  assert.equal(auroc([1, 2, 3, 4], [1, 1, 0, 0]), 0);
  assert.equal(auroc([5, 5, 5, 5], [1, 0, 1, 0]), 0.5);
});

test('PR curve and average precision (scikit-learn definition) of the hand-computed case', () => {
  const pr = prCurve(scores, labels);
  assert.deepEqual(pr.recall, [0, 0.25, 0.5, 0.75, 1, 1]);
  pr.precision.forEach((p, i) => close(p, [1, 1, 2 / 3, 3 / 4, 4 / 6, 4 / 7][i], `precision ${i}`));
  // 0.25 * (1 + 2/3 + 3/4 + 4/6): the last threshold adds no recall.
  close(auprc(scores, labels), 0.25 * (1 + 2 / 3 + 3 / 4 + 4 / 6), 'AP');
  assert.equal(auprc([0.1, 0.2, 0.3, 0.4], [0, 0, 1, 1]), 1);
});

test('sensitivity at a fixed specificity picks the best threshold that keeps the specificity', () => {
  assert.deepEqual(sensitivityAtSpecificity(scores, labels, 0.95), { sensitivity: 0.25, specificity: 1, threshold: 0.9 });
  assert.deepEqual(sensitivityAtSpecificity(scores, labels, 0.6), { sensitivity: 0.75, specificity: 2 / 3, threshold: 0.6 });
  // The top score is healthy: no threshold keeps specificity 1 and finds a tumour.
  assert.deepEqual(sensitivityAtSpecificity([0.9, 0.5], [0, 1], 1), { sensitivity: 0, specificity: 1, threshold: Infinity });
});

test('one class missing, bad labels and length mismatches are clear errors', () => {
  assert.throws(() => auroc([0.1, 0.2], [1, 1]), /needs both classes: got 2 tumour and 0 healthy/);
  assert.throws(() => auprc([0.1, 0.2], [0, 0]), /needs both classes: got 0 tumour and 2 healthy/);
  assert.throws(() => rocCurve([0.1, 0.2], [0, 2]), /label 1 is 2/);
  assert.throws(() => rocCurve([0.1], [0, 1]), /1 scores but 2 labels/);
});

test('long curves are downsampled to at most 200 points that keep the ends, the order and the area', () => {
  const rng = createRng(3);
  const l = Array.from({ length: 5000 }, () => (rng() < 0.5 ? 1 : 0));
  const s = l.map((y) => rng() + 0.5 * y);
  const roc = rocCurve(s, l);
  const small = downsampleRoc(roc);
  assert.ok(roc.fpr.length > 4000 && small.fpr.length <= 200, `${roc.fpr.length} -> ${small.fpr.length} points`);
  assert.deepEqual([small.fpr[0], small.tpr[0], small.fpr.at(-1), small.tpr.at(-1)], [0, 0, 1, 1]);
  const area = (x: number[], y: number[]) => x.slice(1).reduce((a, xi, i) => a + ((xi - x[i]) * (y[i + 1] + y[i])) / 2, 0);
  assert.ok(Math.abs(area(small.fpr, small.tpr) - auroc(s, l)) < 0.005, 'downsampled ROC area drifted');
  for (let i = 1; i < small.fpr.length; i++) assert.ok(small.fpr[i] >= small.fpr[i - 1] && small.thresholds[i] < small.thresholds[i - 1]);
  const pr = downsamplePr(prCurve(s, l), 150);
  assert.ok(pr.recall.length <= 150 && pr.recall[0] === 0 && pr.recall.at(-1) === 1);
  assert.equal(downsampleRoc(rocCurve(scores, labels)).fpr.length, 6, 'short curves are kept whole');
});
