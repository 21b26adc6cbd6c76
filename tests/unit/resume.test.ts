// A run stopped after an epoch and taken up again from its saved state (weights, Adam moments
// and step counts, the data order, the per-step noise and dropout masks) goes on exactly as if it
// had never stopped: the losses of its later steps and its final weights are those of the run
// trained straight through, on one thread and data-parallel, for the BrainCNN, the VAE and the
// GAN. Without the optimiser state the same check fails.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as tfTypes from '@tensorflow/tfjs';
import { initEngine, type Tf } from '../../workers/engine/backend';
import { cnnStepper } from '../../workers/train/cnn-trainer';
import { elboStepper } from '../../workers/train/elbo-stepper';
import { ganStepper } from '../../workers/train/gan-stepper';
import { RunStoppedError, runEpochs } from '../../workers/train/epoch-loop';
import { dropResumeState, readResumePoint, type Resumable } from '../../workers/train/resume-state';
import { createRng } from '../../lib/rng';
import type { CnnConfig } from '../../lib/contracts/run-config';

let tf: Tf;
let backend: string;

before(async () => {
  delete process.env.TFJS_BACKEND;
  ({ tf, backend } = await initEngine({ force: 'wasm' }));
});

type Kind = 'cnn' | 'vae' | 'gan';
const SIZE = 16;
const EPOCHS = 3;

interface Stepper {
  step: (xs: tfTypes.Tensor4D, ys: tfTypes.Tensor2D | null) => Promise<number>;
  resumable: Resumable;
  close: () => Promise<void>;
}

async function makeStepper(kind: Kind, threads: number): Promise<Stepper> {
  const engine = { threads, backend };
  if (kind === 'cnn') {
    const config = { imageSize: SIZE, width: 0.25, dropout: 0.5, seed: 5, learningRate: 1e-3 } as unknown as CnnConfig;
    const s = await cnnStepper(config, engine);
    return { step: async (xs, ys) => (await s.step(xs, ys!)).loss, resumable: s.resumable, close: async () => { await s.close(); s.model.dispose(); } };
  }
  if (kind === 'vae') {
    const s = await elboStepper({ kind: 'vae', imageSize: SIZE, width: 0.25, latentDim: 8, seed: 5, learningRate: 1e-3 }, engine);
    return { step: async (xs) => (await s.step(xs)).total, resumable: s.resumable, close: () => s.close({ disposeModels: true }) };
  }
  const s = await ganStepper({ imageSize: SIZE, width: 0.25, seed: 5, learningRate: 2e-4 }, engine);
  return { step: async (xs) => { const r = await s.step(xs); return r.dLoss + r.gLoss; }, resumable: s.resumable, close: () => s.close() };
}

function data() {
  return tf.tidy(() => ({
    xs: tf.randomUniform([12, SIZE, SIZE, 1], 0, 1, 'float32', 3) as tfTypes.Tensor4D,
    ys: tf.oneHot(tf.tensor1d(Array.from({ length: 12 }, (_, i) => i % 2), 'int32'), 2).toFloat() as tfTypes.Tensor2D,
  }));
}

/** Trains EPOCHS epochs of 3 steps, saving after each; stops after `stopAt` steps, or resumes
 * from what `root` holds. Returns the loss of each step taken and the final weights. */
async function train(kind: Kind, threads: number, root: string, opts: { stopAt?: number; resume?: boolean; dropOptimizer?: boolean }) {
  const stepper = await makeStepper(kind, threads);
  const { xs, ys } = data();
  const losses = new Map<number, number>();
  let taken = 0;
  const resumable: Resumable = opts.dropOptimizer
    ? { ...stepper.resumable, importState: (optimizers, step) => stepper.resumable.importState(optimizers.map((o) => ({ steps: 0, m: o.m.fill(0), v: o.v.fill(0) })), step) }
    : stepper.resumable;
  try {
    await runEpochs({
      train: kind === 'cnn' ? { xs, ys } : { xs },
      batchSize: 4,
      epochs: EPOCHS,
      partialBatch: false,
      rng: createRng(99),
      hooks: { onPoints: () => {}, onProgress: () => {}, shouldStop: () => opts.stopAt !== undefined && taken >= opts.stopAt },
      step: async (x, y, index) => {
        losses.set(index + 1, await stepper.step(x, y));
        taken++;
        return {};
      },
      endEpoch: async () => {},
      resume: { root, from: opts.resume ? readResumePoint(root) : null, trainer: resumable, save: () => ({ json: { taken } }), restore: () => {}, log: () => {}, sync: async () => {} },
    });
  } catch (err) {
    if (!(err instanceof RunStoppedError)) throw err;
  }
  const weights = Object.values(stepper.resumable.models).flatMap((m) => m.getWeights().map((w) => Float32Array.from(w.dataSync())));
  await stepper.close();
  tf.dispose([xs, ys]);
  return { losses, weights };
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((w, i) => w.forEach((x, j) => (d = Math.max(d, Math.abs(x - b[i][j])))));
  return d;
}

for (const kind of ['cnn', 'vae', 'gan'] as const) {
  // The VAE's data-parallel path resumes through the same replica code as the others'.
  for (const threads of kind === 'vae' ? [1] : [1, 2]) {
    test(`a ${kind} on ${threads} thread(s) stopped mid-epoch 2 and resumed ends as the run trained straight through`, async () => {
      const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'resume-')));
      try {
        const straight = await train(kind, threads, dirs[0], {});
        const stopped = await train(kind, threads, dirs[1], { stopAt: 4 });
        assert.deepEqual(readResumePoint(dirs[1]), { epoch: 1, step: 3 }, 'the state of epoch 1 is on disk');
        assert.ok(maxDiff(stopped.weights, straight.weights) > 1e-4, 'the stopped run is not yet where the straight one ends');
        const resumed = await train(kind, threads, dirs[1], { resume: true });
        assert.deepEqual([...resumed.losses.keys()], [4, 5, 6, 7, 8, 9], 'the resumed run takes steps 4 to 9');
        for (const [step, loss] of resumed.losses) {
          const expected = straight.losses.get(step)!;
          assert.ok(Math.abs(loss - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `step ${step}: loss ${loss} where the straight run had ${expected}`);
        }
        assert.ok(maxDiff(resumed.weights, straight.weights) < 1e-4, `final weights differ by ${maxDiff(resumed.weights, straight.weights)}`);
        assert.deepEqual(readResumePoint(dirs[1]), { epoch: 3, step: 9 });
        assert.deepEqual(fs.readdirSync(dirs[1]).sort(), ['epoch-0003', 'latest.json'], 'older states are removed');
      } finally {
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
      }
    });
  }
}

test('resuming without the optimiser state does not match the straight run (the check can fail)', async () => {
  const dirs = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'resume-')));
  try {
    const straight = await train('vae', 1, dirs[0], {});
    await train('vae', 1, dirs[1], { stopAt: 4 });
    const resumed = await train('vae', 1, dirs[1], { resume: true, dropOptimizer: true });
    assert.ok(maxDiff(resumed.weights, straight.weights) > 1e-4);
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('a state written for another point than the server names is refused', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'resume-'));
  try {
    await train('vae', 1, root, { stopAt: 4 });
    const stepper = await makeStepper('vae', 1);
    const { loadResumeState } = await import('../../workers/train/resume-state');
    await assert.rejects(loadResumeState(root, stepper.resumable, { epoch: 2, step: 6 }), /resume state is at epoch 1 \(step 3\), not at epoch 2/);
    await stepper.close();
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a cancel drops the resume state while the worker is still writing its next point', async () => {
  // The worker writes a point as saveResumeState does (a temporary folder renamed into place, the
  // older points removed) without pause; removing the folder in place failed with ENOTEMPTY.
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'resume-drop-')), 'resume');
  fs.mkdirSync(root);
  const writer = new Worker(
    `const fs = require('node:fs'), { workerData: root } = require('node:worker_threads');
     for (let e = 1; ; e++) {
       try {
         const tmp = root + '/epoch-' + e + '.tmp';
         fs.mkdirSync(tmp, { recursive: true });
         fs.writeFileSync(tmp + '/state.bin', Buffer.alloc(20000));
         fs.renameSync(tmp, root + '/epoch-' + e);
         for (const n of fs.readdirSync(root)) if (n !== 'epoch-' + e) fs.rmSync(root + '/' + n, { recursive: true, force: true });
       } catch {}
     }`,
    { eval: true, workerData: root },
  );
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 200; i++) {
      dropResumeState(root); // throws on failure
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await writer.terminate();
  }
  dropResumeState(root);
  assert.equal(fs.existsSync(root), false, 'the resume state is gone once the writer stops');
  assert.deepEqual(fs.readdirSync(path.dirname(root)), [], 'nothing is left beside it');
  dropResumeState(root); // and dropping what is not there is fine
});
