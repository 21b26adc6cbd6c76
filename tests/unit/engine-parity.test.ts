// BrainCNN and the GAN trained for a few steps on the wasm backend, with the engine's own kernels and
// gradients, follows the cpu backend's losses: the speed-ups change no result a user could see.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D } from '@tensorflow/tfjs';
import { initEngine, type Tf } from '../../workers/engine/backend';
import { buildBrainCnn } from '../../workers/models/cnn';
import { buildGan } from '../../workers/models/gan';
import { trainCnnStep } from '../../workers/train/cnn-trainer';
import { createGanOptimizers, trainGanStep } from '../../workers/train/gan-trainer';

let tf: Tf;
const STEPS = 4;

before(async () => {
  delete process.env.TFJS_BACKEND;
  ({ tf } = await initEngine({ force: 'wasm' }));
});

/** Deterministic pixels in [0, 1), so every backend sees the same batch. */
function pixels(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32;
  }
  return out;
}

/** Losses of STEPS Adam steps on one fixed batch, and the tensor count after each step. */
async function train(backend: 'cpu' | 'wasm', imageSize: number, width: number, batch: number): Promise<{ losses: number[]; counts: number[] }> {
  await tf.setBackend(backend);
  const model = buildBrainCnn({ imageSize, width, dropout: 0, seed: 3 });
  const optimizer = tf.train.adam(1e-3);
  const labels = Array.from({ length: batch }, (_, i) => i % 2);
  const xs = tf.tensor4d(pixels(batch * imageSize * imageSize, 7), [batch, imageSize, imageSize, 1]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat() as Tensor2D);
  const losses: number[] = [];
  const counts: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    losses.push((await trainCnnStep(model, optimizer, xs, ys)).loss);
    counts.push(tf.memory().numTensors);
  }
  tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();
  return { losses, counts };
}

// Width 1 at 32x32 makes the first dense kernel 2048x1024, large enough for the wasm matMul's
// transposed route; width 0.25 keeps every product on the built-in kernel. The small batch at
// width 1 keeps the cpu side to a few seconds a step.
for (const { imageSize, width, batch } of [{ imageSize: 32, width: 0.25, batch: 8 }, { imageSize: 32, width: 1, batch: 4 }]) {
  test(`BrainCNN ${imageSize}x${imageSize}, width ${width}, batch ${batch}: wasm losses match cpu over ${STEPS} steps`, async () => {
    const cpu = await train('cpu', imageSize, width, batch);
    const wasm = await train('wasm', imageSize, width, batch);
    const rel = wasm.losses.map((l, i) => Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i]));
    console.log(`losses cpu ${cpu.losses.map((l) => l.toFixed(6)).join(' ')}; wasm ${wasm.losses.map((l) => l.toFixed(6)).join(' ')}; worst relative difference ${Math.max(...rel).toExponential(2)}`);
    assert.ok(cpu.losses[STEPS - 1] !== cpu.losses[0], 'the weights must change between steps');
    assert.ok(Math.max(...rel) < 1e-4, `losses drift apart: ${rel.map((r) => r.toExponential(1)).join(', ')}`);
    assert.equal(new Set(wasm.counts.slice(1)).size, 1, `tensor counts drifted on wasm: ${wasm.counts.join(',')}`);
  });
}

/** Discriminator and generator losses of GAN_STEPS steps on one fixed batch, and the tensor counts. */
const GAN_STEPS = 3;
async function trainGan(backend: 'cpu' | 'wasm', imageSize: number, width: number, batch: number): Promise<{ losses: number[]; counts: number[] }> {
  await tf.setBackend(backend);
  const gan = buildGan({ imageSize, width, seed: 5 });
  // A large learning rate so that three steps move the losses well past float rounding (at the
  // DCGAN's 2e-4 they stay within 1e-4 of log 4 and log 2, and a wrong gradient would pass).
  const optimizers = createGanOptimizers(0.02);
  const xs = tf.tensor4d(pixels(batch * imageSize * imageSize, 9), [batch, imageSize, imageSize, 1]);
  const losses: number[] = [];
  const counts: number[] = [];
  for (let s = 0; s < GAN_STEPS; s++) {
    const r = await trainGanStep(gan, optimizers, xs, s, 5);
    losses.push(r.dLoss, r.gLoss);
    counts.push(tf.memory().numTensors);
  }
  xs.dispose();
  optimizers.d.dispose();
  optimizers.g.dispose();
  gan.generator.dispose();
  gan.discriminator.dispose();
  return { losses, counts };
}

test(`GAN 32x32, width 0.25, batch 4: wasm discriminator and generator losses match cpu over ${GAN_STEPS} steps`, async () => {
  const cpu = await trainGan('cpu', 32, 0.25, 4);
  const wasm = await trainGan('wasm', 32, 0.25, 4);
  const rel = wasm.losses.map((l, i) => Math.abs(l - cpu.losses[i]) / Math.abs(cpu.losses[i]));
  console.log(`GAN losses cpu ${cpu.losses.map((l) => l.toFixed(6)).join(' ')}; wasm ${wasm.losses.map((l) => l.toFixed(6)).join(' ')}; worst relative difference ${Math.max(...rel).toExponential(2)}`);
  assert.ok(cpu.losses[0] !== cpu.losses[2 * GAN_STEPS - 2], 'the weights must change between steps');
  assert.ok(Math.max(...rel) < 1e-4, `losses drift apart: ${rel.map((r) => r.toExponential(1)).join(', ')}`);
  assert.equal(new Set(wasm.counts.slice(1)).size, 1, `tensor counts drifted on wasm: ${wasm.counts.join(',')}`);
});
