// Early stopping through the one epoch loop: a run whose validation stops improving ends after
// `patience` epochs (cleanly, progress complete, best epoch kept), one that keeps improving uses
// its whole budget and is flagged as possibly not converged, and a run interrupted and resumed
// from its saved state stops at the same epoch as the run trained straight through.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../workers/engine/backend';
import { RunStoppedError, runEpochs, type EpochLoop } from '../../workers/train/epoch-loop';
import { EarlyStopping } from '../../workers/train/early-stopping';
import { readResumePoint, type Resumable } from '../../workers/train/resume-state';
import { createRng } from '../../lib/rng';
import { METRICS } from '../../lib/contracts/metrics';

before(async () => {
  await initEngine();
});

/** A state with no model: the loop saves and restores only the caller's bookkeeping. */
const noModel: Resumable = { models: {}, exportOptimizers: async () => [], importState: async () => {} };

/** Trains up to `epochs` epochs of 3 steps whose validation accuracy per epoch is `accuracies`;
 * `stopAfter` cancels the run once that many epochs are done; `resumeFrom` continues a saved run. */
async function train(accuracies: number[], patience: number | undefined, opts: { root?: string; stopAfter?: number; resume?: boolean } = {}) {
  const xs = tf.zeros([9, 1, 1, 1]) as tf.Tensor4D;
  const stopping = new EarlyStopping(patience);
  const progress: number[][] = [];
  const logs: string[] = [];
  let validated = 0;
  const loop: EpochLoop = {
    train: { xs },
    batchSize: 3,
    epochs: accuracies.length,
    partialBatch: true,
    rng: createRng(1),
    hooks: { onPoints: () => {}, onProgress: (...args) => progress.push(args), shouldStop: () => opts.stopAfter !== undefined && validated >= opts.stopAfter },
    step: async () => ({ [METRICS.trainLoss]: 1 }),
    endEpoch: async (epoch) => {
      validated = epoch;
      const { stop } = stopping.update(epoch, { accuracy: accuracies[epoch - 1], loss: 1 });
      if (!stop) return;
      logs.push(stopping.stoppedMessage());
      return 'stop';
    },
    resume: opts.root
      ? {
          root: opts.root,
          from: opts.resume ? readResumePoint(opts.root) : null,
          trainer: noModel,
          save: () => ({ json: stopping.save() }),
          restore: ({ json }) => stopping.restore(json as ReturnType<EarlyStopping['save']>),
          log: () => {},
          sync: async () => {},
        }
      : undefined,
  };
  try {
    const taken = await runEpochs(loop);
    return { ...taken, progress, logs, stopping };
  } finally {
    xs.dispose();
  }
}

const plateau = [0.5, 0.6, 0.7, 0.7, 0.65, 0.7, 0.8, 0.9, 0.95, 0.99];

test('training stops once validation has not improved for `patience` epochs', async () => {
  const run = await train(plateau, 3);
  // Best at epoch 3; epochs 4, 5 and 6 do not beat it (a tie in accuracy and loss is no gain).
  assert.deepEqual({ steps: run.steps, epochs: run.epochs, stoppedEarly: run.stoppedEarly }, { steps: 18, epochs: 6, stoppedEarly: true });
  assert.equal(run.stopping.state.bestEpoch, 3);
  assert.equal(run.stopping.bestWasLast, false);
  assert.deepEqual(run.logs, ['stopped early after epoch 6: no validation improvement for 3 epochs (best epoch 3)']);
  const [at, step, total] = run.progress.at(-1)!;
  assert.deepEqual([at, step, total], [6, 18, 18], 'progress reported complete');
});

test('training goes on while validation improves, and a best last epoch is flagged', async () => {
  const patient = await train(plateau, 4);
  assert.deepEqual({ epochs: patient.epochs, stoppedEarly: patient.stoppedEarly, best: patient.stopping.state.bestEpoch }, { epochs: 10, stoppedEarly: false, best: 10 });
  assert.equal(patient.stopping.bestWasLast, true, 'the best epoch was the last one: may not have converged');
  const [, step, total] = patient.progress.at(-1)!;
  assert.deepEqual([step, total], [30, 30]);
  const without = await train(plateau, undefined);
  assert.equal(without.epochs, 10);
  const settled = await train([0.5, 0.9, 0.8, 0.8], undefined);
  assert.deepEqual({ best: settled.stopping.state.bestEpoch, flagged: settled.stopping.bestWasLast }, { best: 2, flagged: false });
});

test('a run interrupted and resumed keeps its epochs since the best and stops where the straight run stops', async () => {
  const straight = await train(plateau, 3);
  for (const stopAfter of [3, 4, 5]) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'early-stop-'));
    try {
      await assert.rejects(train(plateau, 3, { root, stopAfter }), RunStoppedError);
      assert.deepEqual(readResumePoint(root), { epoch: stopAfter, step: 3 * stopAfter });
      const resumed = await train(plateau, 3, { root, resume: true });
      assert.deepEqual({ steps: resumed.steps, epochs: resumed.epochs }, { steps: straight.steps, epochs: straight.epochs }, `interrupted after epoch ${stopAfter}`);
      assert.deepEqual(resumed.stopping.state, straight.stopping.state);
      assert.deepEqual(resumed.logs, straight.logs);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
});
