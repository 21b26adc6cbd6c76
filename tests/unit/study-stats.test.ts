// The study table's statistics and exports: bootstrap intervals, the paired t-test, Holm's
// correction (against hand-computed values), the Table 1 DAG, and LaTeX escaping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapCi, holm, pairedTTest } from '../../lib/stats/table';
import { latexEscape } from '../../server/results/export';
import { checkPlan, table1Plan } from '../../server/studies/templates';

test('bootstrap interval: none for one value, within the range of the values, reproducible', () => {
  assert.deepEqual(bootstrapCi([0.9]), { mean: 0.9, ciLow: null, ciHigh: null });
  const a = bootstrapCi([0.8, 0.9, 1.0], 7);
  assert.ok(Math.abs(a.mean - 0.9) < 1e-12);
  assert.ok(a.ciLow! >= 0.8 && a.ciHigh! <= 1.0 && a.ciLow! < 0.9 && a.ciHigh! > 0.9);
  assert.deepEqual(bootstrapCi([0.8, 0.9, 1.0], 7), a);
  const same = bootstrapCi([0.5, 0.5, 0.5]);
  assert.deepEqual([same.ciLow, same.ciHigh], [0.5, 0.5]);
});

test('paired t-test p-values match hand-computed values', () => {
  // d = 1, 2, 3: mean 2, sd 1, t = 2 / (1 / sqrt 3) = 3.4641 with 2 df: two-sided p = 0.07418.
  assert.ok(Math.abs(pairedTTest([1, 2, 3]) - 0.07418) < 1e-4);
  // d = 0.1, 0.12, 0.11, 0.09: mean 0.105, sd 0.012910, t = 16.2665 (3 df); the closed form of
  // the t(3) CDF, 1/2 + (x / (1 + x^2) + atan x) / pi with x = t / sqrt 3, gives p = 0.00050549.
  assert.ok(Math.abs(pairedTTest([0.1, 0.12, 0.11, 0.09]) - 0.00050549) < 1e-7);
  assert.equal(pairedTTest([0, 0]), 1);
  assert.ok(Number.isNaN(pairedTTest([0.3])));
});

test("Holm's adjustment is step-down and monotone", () => {
  // p = 0.01, 0.04, 0.03 (m = 3): sorted 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04*1) = 0.06.
  assert.deepEqual(holm([0.01, 0.04, 0.03]).map((p) => Number(p.toFixed(10))), [0.03, 0.06, 0.06]);
  assert.deepEqual(holm([0.5, 0.9]), [1, 1]);
});

test('the Table 1 plan is a DAG: generators, then datasets, then classifiers per seed', () => {
  const plan = table1Plan({ preset: 'quick', seeds: [0, 1, 2], perClass: 1500, sweep: true });
  checkPlan(plan);
  assert.equal(plan.length, 4 + 2 + 3 * 12);
  assert.deepEqual(plan.find((s) => s.key === 'synth-vae')!.dependsOn, ['gen-vae-tumor', 'gen-vae-healthy']);
  assert.deepEqual(plan.find((s) => s.key === 'cvae-mixed-gan-s2')!.dependsOn, ['synth-gan']);
  assert.deepEqual(plan.find((s) => s.key === 'cnn-real-s1')!.dependsOn, []);
  assert.throws(() => checkPlan([{ key: 'a', dependsOn: ['b'], spec: plan[0].spec }]), /depends on b/);
});

test('LaTeX escaping covers the special characters', () => {
  assert.equal(latexEscape('mixed-vae×0.25 & 5% of #1_x'), 'mixed-vae$\\times$0.25 \\& 5\\% of \\#1\\_x');
});
