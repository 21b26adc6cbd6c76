// Data-parallel training over worker threads gives what training on one thread gives: the same
// losses, accuracies and weights (to float tolerance) for whole, odd and tiny batches, with
// batch norm over the whole batch and the same dropout masks, while the replicas stay identical
// and no thread leaks tensors. A failing step fails with its reason instead of hanging.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { initEngine, type Tf } from '../../workers/engine/backend';
import { buildBrainCnn } from '../../workers/models/cnn';
import { trainCnnStep } from '../../workers/train/cnn-trainer';
import { DataParallelTrainer, splitRows } from '../../workers/parallel/data-parallel';
import { trainThreads } from '../../workers/parallel/threads';
import { elboStepper } from '../../workers/train/elbo-stepper';
import { replicaSource, type CnnReplicaSpec, type ReplicaSpec } from '../../workers/train/replicas';
import { buildGan } from '../../workers/models/gan';
import { createGanOptimizers, trainGanStep, type GanStepResult } from '../../workers/train/gan-trainer';
import { Exchange, type Layout } from '../../workers/parallel/exchange';
import { adamDefaults } from '../../workers/parallel/replica';
import { adamModule, sharedMemory } from '../../workers/parallel/adam-simd';

let tf: Tf;
let backend: string;
const spec: CnnReplicaSpec = { kind: 'cnn', imageSize: 32, width: 0.25, dropout: 0.5, seed: 11, learningRate: 1e-3 };
const trainers: DataParallelTrainer[] = [];

before(async () => {
  delete process.env.TFJS_BACKEND;
  ({ tf, backend } = await initEngine({ force: 'wasm' }));
});
after(async () => {
  await Promise.all(trainers.map((t) => t.dispose({ disposeModel: true })));
});

function batch(n: number, seed: number): { xs: Tensor4D; ys: Tensor2D } {
  return tf.tidy(() => ({
    xs: tf.randomUniform([n, spec.imageSize, spec.imageSize, 1], 0, 1, 'float32', seed) as Tensor4D,
    ys: tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 2), 'int32'), 2).toFloat() as Tensor2D,
  }));
}

/** Steps on one thread, as the trainer did before data-parallel training. */
async function singleThread(batches: { xs: Tensor4D; ys: Tensor2D }[]) {
  const model = buildBrainCnn(spec);
  const optimizer = tf.train.adam(spec.learningRate);
  const steps = [];
  for (const b of batches) steps.push(await trainCnnStep(model, optimizer, b.xs, b.ys));
  const weights = model.getWeights().map((w) => w.dataSync().slice());
  optimizer.dispose();
  model.dispose();
  return { steps, weights };
}

async function start(threads: number, replicaSpec: ReplicaSpec = spec): Promise<DataParallelTrainer> {
  const trainer = await DataParallelTrainer.start(replicaSource(replicaSpec), threads, backend);
  trainers.push(trainer);
  return trainer;
}

test('rows are split in order, as evenly as possible, and every row is used once', () => {
  assert.deepEqual(splitRows(32, 2), [{ offset: 0, n: 16 }, { offset: 16, n: 16 }]);
  assert.deepEqual(splitRows(5, 2), [{ offset: 0, n: 3 }, { offset: 3, n: 2 }]);
  assert.deepEqual(splitRows(1, 3), [{ offset: 0, n: 1 }, { offset: 1, n: 0 }, { offset: 1, n: 0 }]);
});

test('a run alone splits over every core, runs side by side share them, native backends and tiny images get one', () => {
  const at64 = { imageSize: 64 };
  assert.equal(trainThreads({ ...at64, backend: 'wasm', concurrentRuns: 1, cores: 2 }), 2);
  assert.equal(trainThreads({ ...at64, backend: 'wasm', concurrentRuns: 2, cores: 2 }), 1);
  assert.equal(trainThreads({ ...at64, backend: 'cpu', concurrentRuns: 3, cores: 8 }), 2);
  assert.equal(trainThreads({ ...at64, backend: 'wasm', concurrentRuns: 5, cores: 2 }), 1);
  assert.equal(trainThreads({ ...at64, backend: 'tfjs-node', concurrentRuns: 1, cores: 8 }), 1);
  assert.equal(trainThreads({ imageSize: 32, backend: 'wasm', concurrentRuns: 1, cores: 2 }), 1);
  assert.equal(trainThreads({ imageSize: 32, backend: 'wasm', concurrentRuns: 1, cores: 8, override: 3 }), 3);
});

// Whole batches, an odd batch (3 + 2 rows) and a batch smaller than the thread count (one thread
// idle): batch norm must see the whole batch and dropout the same masks, or the losses differ by
// far more than the tolerance (1e-3 and more; measured while building this).
for (const threads of [2, 3]) {
  test(`${threads} threads follow one thread's losses, accuracies and weights over 5 steps`, async () => {
    const batches = [batch(8, 1), batch(8, 2), batch(5, 3), batch(1, 4), batch(8, 5)];
    const reference = await singleThread(batches);
    const trainer = await start(threads);
    const steps = [];
    const tensorCounts: number[] = [];
    for (const b of batches) {
      const { loss, means } = await trainer.step(b.xs, b.ys);
      steps.push({ loss, accuracy: means.accuracy });
      tensorCounts.push(tf.memory().numTensors);
    }
    for (const b of batches) tf.dispose([b.xs, b.ys]);
    const rel = steps.map((s, i) => Math.abs(s.loss - reference.steps[i].loss) / reference.steps[i].loss);
    console.log(`losses 1 thread ${reference.steps.map((s) => s.loss.toFixed(6)).join(' ')}; ${threads} threads ${steps.map((s) => s.loss.toFixed(6)).join(' ')}`);
    assert.ok(Math.max(...rel) < 1e-5, `losses drift apart: ${rel.map((r) => r.toExponential(1)).join(', ')}`);
    steps.forEach((s, i) => assert.ok(Math.abs(s.accuracy - reference.steps[i].accuracy) < 1e-6, `step ${i + 1}: accuracy ${s.accuracy}, one thread ${reference.steps[i].accuracy}`));

    // The model the trainer hands back (this thread's replica) holds the same weights, up to
    // float rounding, measured per tensor against how far training moved it. The convolution
    // biases are left out: batch norm removes them, so their gradient is rounding noise that
    // Adam turns into steps of the learning rate, in any order of additions; so are the moving
    // means, which carry those biases along (the predictions below cancel both).
    const initial = buildBrainCnn(spec);
    const initialWeights = initial.getWeights().map((w) => w.dataSync().slice());
    initial.dispose();
    const model = trainer.replica.models.model;
    const names = model.weights.map((w) => w.originalName);
    const weights = model.getWeights().map((w) => w.dataSync());
    const ratios = weights.map((w, i) => {
      if (/conv2d.*bias|moving_mean/.test(names[i])) return 0;
      let diff = 0;
      let moved = 0;
      w.forEach((v, j) => {
        diff += (v - reference.weights[i][j]) ** 2;
        moved += (reference.weights[i][j] - initialWeights[i][j]) ** 2;
      });
      return moved === 0 ? (diff === 0 ? 0 : Infinity) : Math.sqrt(diff / moved);
    });
    console.log(`weight difference / training's change, worst tensor: ${Math.max(...ratios).toExponential(2)}`);
    assert.ok(Math.max(...ratios) < 1e-3, `weights differ: ${ratios.map((r, i) => `${names[i]} ${r.toExponential(1)}`).join(', ')}`);

    // And it predicts what the one-thread model predicts, in inference mode, on unseen images.
    const probe = batch(6, 99);
    const predict = (m: typeof model) => tf.tidy(() => tf.softmax(m.predict(probe.xs) as Tensor2D).dataSync());
    const referenceModel = buildBrainCnn(spec);
    referenceModel.setWeights(reference.weights.map((w, i) => tf.tensor(w, referenceModel.weights[i].shape as number[])));
    const [ours, theirs] = [predict(model), predict(referenceModel)];
    referenceModel.dispose();
    tf.dispose([probe.xs, probe.ys]);
    const worstProb = Math.max(...Array.from(ours, (p, i) => Math.abs(p - theirs[i])));
    assert.ok(worstProb < 1e-4, `predicted probabilities differ by up to ${worstProb}`);

    // Every helper holds exactly this thread's variables, and no thread grows its tensor count.
    const own = trainer.ownVariables();
    const snapshots = await trainer.helperSnapshots();
    for (const snap of snapshots) assert.ok(snap.variables.every((v, i) => v === own[i]), 'a helper replica drifted from the main one');
    assert.equal(new Set(tensorCounts.slice(1)).size, 1, `tensor counts drifted on the main thread: ${tensorCounts.join(',')}`);
    const again = await trainer.helperSnapshots();
    assert.deepEqual(again.map((s) => s.numTensors), snapshots.map((s) => s.numTensors));
  });
}

test('a step that fails on the threads rejects with the reason instead of hanging', async () => {
  const trainer = await start(2);
  const wrong = tf.tidy(() => ({ xs: tf.zeros([4, 16, 16, 1]) as Tensor4D, ys: tf.zeros([4, 2]) as Tensor2D }));
  await assert.rejects(trainer.step(wrong.xs, wrong.ys), /shape|size|match/i);
  tf.dispose([wrong.xs, wrong.ys]);
});

// The generator VAE (batch norm in encoder and decoder) and the BrainCVAE (none): the same ELBO,
// noise and updates on 2 threads as on one.
for (const kind of ['vae', 'cvae'] as const) {
  test(`the ${kind === 'vae' ? 'generator VAE' : 'BrainCVAE'} follows one thread's losses on 2 threads`, async () => {
    const elbo = { kind, imageSize: 16, width: 0.25, latentDim: 8, seed: 5, learningRate: 1e-3 };
    const batches = [8, 8, 5, 8].map((n, i) => batch(n, 20 + i).xs).map((xs) => tf.tidy(() => tf.image.resizeBilinear(xs, [16, 16]) as Tensor4D));
    const run = async (threads: number) => {
      const stepper = await elboStepper(elbo, { threads, backend });
      const out = [];
      for (const xs of batches) out.push(await stepper.step(xs));
      await stepper.close({ disposeModels: true });
      return out;
    };
    const one = await run(1);
    const two = await run(2);
    tf.dispose(batches);
    console.log(`${kind} totals 1 thread ${one.map((s) => s.total.toFixed(4)).join(' ')}; 2 threads ${two.map((s) => s.total.toFixed(4)).join(' ')}`);
    assert.ok(one[3].total !== one[0].total, 'the weights must change between steps');
    for (const key of ['total', 'reconstruction', 'kl'] as const) {
      const rel = two.map((s, i) => Math.abs(s[key] - one[i][key]) / Math.max(1e-6, Math.abs(one[i][key])));
      assert.ok(Math.max(...rel) < 1e-4, `${key} drifts apart: ${rel.map((r) => r.toExponential(1)).join(', ')}`);
    }
  });
}

test('the SIMD Adam kernel updates weights and moments as the JS loop does, odd lengths included', async () => {
  const n = 1001; // not a multiple of 4: the kernel's scalar tail runs too
  const layout: Layout = { entries: [{ offset: 0, size: n, shape: [n] }], trainableCount: 1, trainableLength: n, lossOffset: n, means: 0, length: n + 1 };
  const adam = adamDefaults(1e-2);
  const views = async (simd: boolean) => {
    const memory = sharedMemory(Exchange.bytes(layout, 2));
    const module = simd ? await adamModule() : null;
    if (simd) assert.ok(module, 'the Adam kernel must assemble here');
    return [0, 1].map((index) => new Exchange(layout, 2, index, adam, memory, module));
  };
  const [simd, js] = [await views(true), await views(false)];
  let state = 7;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const start = Float32Array.from({ length: n }, random);
  for (const pair of [simd, js]) pair[0].result.set(start);
  for (let step = 0; step < 3; step++) {
    const grads = [Float32Array.from({ length: n + 1 }, random), Float32Array.from({ length: n + 1 }, random)];
    for (const pair of [simd, js]) {
      pair[0].vectors[0].set(grads[0]);
      pair[0].vectors[1].set(grads[1]);
      pair[0].shares.set([0.625, 0.375]);
      for (const e of pair) e.reduceSlice();
    }
  }
  // float32 arithmetic in the kernel, float64 in the loop: equal to float32 rounding (the weights
  // moved by up to 3 steps of 1e-2).
  const worst = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
  assert.ok(simd[0].result.some((x, i) => x !== start[i]), 'the weights must move');
  assert.ok(worst(simd[0].result, js[0].result) < 1e-6, `weights differ by ${worst(simd[0].result, js[0].result)}`);
  assert.ok(worst(simd[0].m, js[0].m) < 1e-6 && worst(simd[0].v, js[0].v) < 1e-6, `moments differ by ${worst(simd[0].m, js[0].m)}, ${worst(simd[0].v, js[0].v)}`);
});

test('the same seed on the same thread count repeats exactly', async () => {
  const batches = [batch(8, 31), batch(7, 32), batch(8, 33)];
  const losses = async () => {
    const trainer = await start(2);
    const out = [];
    for (const b of batches) out.push((await trainer.step(b.xs, b.ys)).loss);
    return out;
  };
  const [first, second] = [await losses(), await losses()];
  for (const b of batches) tf.dispose([b.xs, b.ys]);
  assert.deepEqual(second, first);
});

test('the GAN follows one thread on 2 threads: both phases, from the same latents', async () => {
  const ganSpec = { kind: 'gan' as const, imageSize: 16, width: 0.25, seed: 4, learningRate: 2e-3 };
  const batches = [8, 8, 5, 8].map((n, i) => batch(n, 40 + i).xs).map((xs) => tf.tidy(() => tf.image.resizeBilinear(xs, [16, 16]) as Tensor4D));
  const gan = buildGan(ganSpec);
  const optimizers = createGanOptimizers(ganSpec.learningRate);
  const one: GanStepResult[] = [];
  for (const [i, xs] of batches.entries()) one.push(await trainGanStep(gan, optimizers, xs, i, ganSpec.seed));
  optimizers.d.dispose();
  optimizers.g.dispose();
  gan.generator.dispose();
  gan.discriminator.dispose();
  const trainer = await start(2, ganSpec);
  const two = [];
  for (const xs of batches) {
    const { losses, means } = await trainer.step(xs);
    two.push({ dLoss: losses[0], gLoss: losses[1], dReal: means.dReal, dFake: means.dFake });
  }
  tf.dispose(batches);
  console.log(`gan d/g losses 1 thread ${one.map((s) => `${s.dLoss.toFixed(5)}/${s.gLoss.toFixed(5)}`).join(' ')}; 2 threads ${two.map((s) => `${s.dLoss.toFixed(5)}/${s.gLoss.toFixed(5)}`).join(' ')}`);
  assert.ok(one[3].gLoss !== one[0].gLoss, 'the weights must change between steps');
  for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake'] as const) {
    const rel = two.map((s, i) => Math.abs(s[key] - one[i][key]) / Math.abs(one[i][key]));
    assert.ok(Math.max(...rel) < 1e-4, `${key} drifts apart: ${rel.map((r) => r.toExponential(1)).join(', ')}`);
  }
});
