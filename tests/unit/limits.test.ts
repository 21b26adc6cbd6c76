// The limits' arithmetic: the largest built-in study fits under the default queue cap, the
// free-space check refuses with the figures, the estimates grow with the preset, and the
// deletion messages count what they name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../lib/env';
import { table1Plan } from '../../server/studies/templates';
import { checkFreeSpace, MB, runNeedsBytes, stepsNeedBytes } from '../../server/services/limits';
import { Refusal } from '../../server/services/refusal';
import { countItems, dependOn } from '../../lib/contracts/deletion';
import { resolveRunConfig } from '../../lib/contracts/run-config';

test('one full Table 1 study (10 seeds, the sweep) fits under the default MAX_QUEUED_PER_USER', () => {
  const plan = table1Plan({ preset: 'paper', seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], perClass: 1500, sweep: true });
  assert.equal(plan.length, 126);
  assert.ok(plan.length <= loadEnv({} as NodeJS.ProcessEnv).MAX_QUEUED_PER_USER);
  assert.equal(loadEnv({} as NodeJS.ProcessEnv).MIN_FREE_MB, 512);
});

test('the free-space check refuses past MIN_FREE_MB with what is free and what is needed', () => {
  checkFreeSpace(os.tmpdir(), 0, 1 * MB, 'this run');
  checkFreeSpace(path.join(os.tmpdir(), 'not-made-yet', 'data'), 0, 1 * MB, 'this import');
  assert.throws(() => checkFreeSpace(os.tmpdir(), 1e9 * MB, 150 * MB, 'this run'), (err: Refusal) => {
    assert.equal(err.code, 'PRECONDITION_FAILED');
    assert.match(err.message, /^Not enough disk space for this run: only [\d,]+ MB free under DATA_DIR; this needs about 150 MB and MIN_FREE_MB keeps 1,000,000,000 MB free\./);
    return true;
  });
});

test("a generator's estimate grows with its preset's checkpoints; a study adds its steps", () => {
  const gan = (preset: 'smoke' | 'quick' | 'paper') => runNeedsBytes(resolveRunConfig({ model: 'gan', preset, seed: 0, imageClass: 'tumor', trainData: 'real', overrides: {} }, 'ds-demo'));
  assert.ok(gan('smoke') < gan('quick') && gan('quick') < gan('paper'));
  const cnn = runNeedsBytes(resolveRunConfig({ model: 'cnn', preset: 'paper', seed: 0, trainData: 'real', overrides: {} }, 'ds-demo'));
  assert.ok(cnn < gan('paper'));
  const plan = table1Plan({ preset: 'quick', seeds: [0], perClass: 100, sweep: false });
  assert.ok(stepsNeedBytes(plan.map((s) => s.spec)) > 4 * gan('smoke'));
});

test('deletion messages count what they name', () => {
  const run = { kind: 'run' as const, id: 'r-1', label: 'a' };
  const dataset = { kind: 'dataset' as const, id: 'ds-1', label: 'b' };
  const study = { kind: 'study' as const, id: 's-1', label: 'c' };
  assert.equal(countItems([]), 'nothing');
  assert.equal(dependOn([run]), '1 run depends on it');
  assert.equal(dependOn([run, { ...run, id: 'r-2' }, dataset]), '2 runs and 1 dataset depend on it');
  assert.equal(countItems([study, { ...study, id: 's-2' }, run, dataset]), '1 run, 2 studies and 1 dataset');
});
