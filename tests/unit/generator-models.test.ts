// Generative VAE and GAN (paper section 5.1): the paper's layer shapes and parameter counts at
// 128x128, and training steps at a small size that do not leak tensors and do learn.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { discBatch } from '../helpers/discs';
import { initEngine } from '../../workers/engine/backend';
import { buildVae } from '../../workers/models/vae';
import { buildGan, GAN_LATENT_DIM } from '../../workers/models/gan';
import { elboStep, sampleVae } from '../../workers/train/vae-trainer';
import { createGanOptimizers, trainGanStep } from '../../workers/train/gan-trainer';
import { elboLoss, ganLatents, noiseSeedOf } from '../../workers/train/losses';

before(async () => {
  await initEngine();
});

// Parameter formulas (batch norm keeps 4 values per channel: gamma, beta, moving mean and variance).
const conv3Bn = (cin: number, cout: number) => 9 * cin * cout + cout + 4 * cout;
const convT4Bn = (cin: number, cout: number) => 16 * cin * cout + cout + 4 * cout;
const conv4 = (cin: number, cout: number) => 16 * cin * cout + cout;
const fc = (i: number, o: number) => i * o + o;
const convClass = (m: tf.LayersModel, name: string) => m.layers.filter((l) => l.getClassName() === name);

/** Smallest and largest value of a tensor. */
async function range(t: tf.Tensor): Promise<[number, number]> {
  const [lo, hi] = [tf.min(t), tf.max(t)];
  const out: [number, number] = [(await lo.data())[0], (await hi.data())[0]];
  tf.dispose([lo, hi]);
  return out;
}

test('VAE at the paper preset: 6 conv layers, latent 512, decoder from (2, 2, 1024) to (128, 128, 1)', async () => {
  const { encoder, decoder } = buildVae({ imageSize: 128, width: 1, latentDim: 512, seed: 0 });
  const convs = convClass(encoder, 'Conv2D');
  assert.equal(convs.length, 6);
  assert.deepEqual(convs.map((l) => l.outputShape), [[null, 64, 64, 32], [null, 32, 32, 64], [null, 16, 16, 128], [null, 8, 8, 256], [null, 4, 4, 512], [null, 2, 2, 1024]]);
  assert.deepEqual(encoder.outputs.map((o) => o.shape), [[null, 512], [null, 512]]);
  assert.deepEqual(convClass(decoder, 'Reshape')[0].outputShape, [null, 2, 2, 1024]);
  assert.deepEqual(decoder.outputs[0].shape, [null, 128, 128, 1]);
  // Encoder: 1 -> 32 -> ... -> 1024 stride-2 3x3 convs with batch norm, two heads from 2*2*1024.
  const encoderExpected = conv3Bn(1, 32) + conv3Bn(32, 64) + conv3Bn(64, 128) + conv3Bn(128, 256) + conv3Bn(256, 512) + conv3Bn(512, 1024) + 2 * fc(4096, 512);
  // Decoder: 512 -> 2*2*1024, then 4x4 transposed convs 1024 -> 512 -> ... -> 32 -> 16, then a 3x3 conv to 1.
  const decoderExpected = fc(512, 4096) + convT4Bn(1024, 512) + convT4Bn(512, 256) + convT4Bn(256, 128) + convT4Bn(128, 64) + convT4Bn(64, 32) + convT4Bn(32, 16) + 9 * 16 + 1;
  console.log(`VAE @128 width 1: encoder ${encoder.countParams()} + decoder ${decoder.countParams()} parameters`);
  assert.equal(encoder.countParams(), encoderExpected);
  assert.equal(decoder.countParams(), decoderExpected);
  assert.deepEqual([encoderExpected, decoderExpected], [10_491_008, 13_288_513]);

  const x = tf.randomUniform([2, 128, 128, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const [mean, logVar] = encoder.predict(x) as tf.Tensor[];
  assert.deepEqual([mean.shape, logVar.shape], [[2, 512], [2, 512]]);
  const image = sampleVae(decoder, mean as tf.Tensor2D);
  assert.deepEqual(image.shape, [2, 128, 128, 1]);
  const [lo, hi] = await range(image);
  assert.ok(lo >= 0 && hi <= 1, `decoder output outside [0, 1]: ${lo}..${hi}`);
  tf.dispose([x, mean, logVar, image]);
  encoder.dispose();
  decoder.dispose();
});

test('GAN at the paper preset: z (100) -> (8, 8, 128) -> (128, 128, 1); D has 4 convs and one output', async () => {
  const { generator, discriminator } = buildGan({ imageSize: 128, width: 1, seed: 0 });
  assert.deepEqual(generator.inputs[0].shape, [null, GAN_LATENT_DIM]);
  assert.deepEqual(convClass(generator, 'Reshape')[0].outputShape, [null, 8, 8, 128]);
  assert.deepEqual(generator.outputs[0].shape, [null, 128, 128, 1]);
  assert.equal(convClass(discriminator, 'Conv2D').length, 4);
  assert.deepEqual(discriminator.outputs[0].shape, [null, 1]);
  // G: 100 -> 8*8*128, then per doubling (8 -> 128: four) a 3x3 conv with batch norm,
  // channels 128 -> 64 -> 32 -> 16 -> 16 (halving, at least 16), then a 3x3 conv to 1.
  const gExpected = fc(100, 8 * 8 * 128) + conv3Bn(128, 64) + conv3Bn(64, 32) + conv3Bn(32, 16) + conv3Bn(16, 16) + 9 * 16 + 1;
  // D: 4x4 stride-2 convs 1 -> 32 -> 64 -> 128 -> 256 (128 -> 8 spatially), one logit from 8*8*256.
  const dExpected = conv4(1, 32) + conv4(32, 64) + conv4(64, 128) + conv4(128, 256) + fc(8 * 8 * 256, 1);
  console.log(`GAN @128 width 1: generator ${generator.countParams()}, discriminator ${discriminator.countParams()} parameters`);
  assert.equal(generator.countParams(), gExpected);
  assert.equal(discriminator.countParams(), dExpected);
  assert.deepEqual([gExpected, dExpected], [927_249, 705_505]);

  const z = tf.randomNormal([2, GAN_LATENT_DIM], 0, 1, 'float32', 5);
  const image = generator.predict(z) as tf.Tensor4D;
  assert.deepEqual(image.shape, [2, 128, 128, 1]);
  const [lo, hi] = await range(image);
  assert.ok(lo >= 0 && hi <= 1, `generator output outside [0, 1]: ${lo}..${hi}`);
  const logits = discriminator.predict(image) as tf.Tensor;
  assert.deepEqual(logits.shape, [2, 1]);
  tf.dispose([z, image, logits]);
  generator.dispose();
  discriminator.dispose();
});

test('VAE training steps at 32x32 keep the tensor count flat and lower the loss', async () => {
  const vae = buildVae({ imageSize: 32, width: 0.25, latentDim: 16, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const xs = discBatch(8, 32);
  const step = (n: number) => elboStep(vae, optimizer, xs, { seed: 1, step: n, beta: 1, label: 'VAE' });
  const first = await step(0);
  await step(1);
  const tensorsAfterWarmup = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 10; i++) {
    last = await step(i + 2);
    assert.equal(tf.memory().numTensors, tensorsAfterWarmup, `tensor count changed at step ${i + 3}`);
    assert.ok(Math.abs(last.total - (last.reconstruction + last.kl)) < 1e-3 * last.total);
  }
  console.log(`VAE @32: total ${first.total.toFixed(1)} -> ${last.total.toFixed(1)} (KL ${last.kl.toFixed(2)})`);
  assert.ok(last.total < first.total, `loss did not fall: ${first.total} -> ${last.total}`);
  tf.dispose(xs);
  optimizer.dispose();
  vae.encoder.dispose();
  vae.decoder.dispose();
});

test('GAN training steps at 32x32 keep the tensor count flat, and a NaN loss raises a clear error', async () => {
  const gan = buildGan({ imageSize: 32, width: 0.25, seed: 2 });
  const optimizers = createGanOptimizers();
  const xs = discBatch(8, 32);
  await trainGanStep(gan, optimizers, xs, 0);
  await trainGanStep(gan, optimizers, xs, 1);
  const tensorsAfterWarmup = tf.memory().numTensors;
  for (let step = 2; step < 6; step++) {
    const r = await trainGanStep(gan, optimizers, xs, step);
    assert.equal(tf.memory().numTensors, tensorsAfterWarmup, `tensor count changed at step ${step}`);
    for (const v of [r.dLoss, r.gLoss]) assert.ok(Number.isFinite(v) && v > 0);
    for (const p of [r.dReal, r.dFake]) assert.ok(p > 0 && p < 1);
  }
  const bad = tf.fill([8, 32, 32, 1], NaN) as tf.Tensor4D;
  await assert.rejects(trainGanStep(gan, optimizers, bad, 6), /GAN training diverged at step 6/);
  assert.equal(tf.memory().numTensors, tensorsAfterWarmup + 1, 'the failed step leaked tensors');
  tf.dispose([xs, bad]);
  optimizers.g.dispose();
  optimizers.d.dispose();
  gan.generator.dispose();
  gan.discriminator.dispose();
});

test('a seed-0 run draws the same noise and latents at its first step every time', async () => {
  // TensorFlow.js reads seed 0 as "unseeded": step 0 of a seed-0 generator used to differ per run.
  const draw = async () => {
    const models = buildVae({ imageSize: 32, width: 0.25, latentDim: 8, seed: 0 });
    const xs = discBatch(4, 32);
    const loss = tf.tidy(() => elboLoss(models, xs, noiseSeedOf(0, 0), 1).total);
    const z = ganLatents(4, 0, 0);
    const out = { loss: (await loss.data())[0], z: Array.from(await z.data()) };
    tf.dispose([loss, z, xs]);
    models.encoder.dispose();
    models.decoder.dispose();
    return out;
  };
  const [a, b] = [await draw(), await draw()];
  assert.equal(a.loss, b.loss);
  assert.deepEqual(a.z, b.z);
});
