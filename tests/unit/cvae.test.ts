// BrainCVAE (paper section 5.2): layer shapes and parameter count at the paper preset, training
// steps that learn without leaking tensors, and deterministic reconstruction-error maps.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { discBatch } from '../helpers/discs';
import { initEngine } from '../../workers/engine/backend';
import { buildCvae, CVAE_PAPER_PRESET } from '../../workers/models/cvae';
import { errorMaps } from '../../workers/train/cvae-trainer';
import { elboStep } from '../../workers/train/vae-trainer';

before(async () => {
  await initEngine();
});

const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
const fc = (i: number, o: number) => i * o + o;
const layersOf = (m: tf.LayersModel, name: string) => m.layers.filter((l) => l.getClassName() === name);

test('CVAE at the paper preset: two stride-2 convs to (32, 32, 64), latent 128, decoder back to (128, 128, 1)', async () => {
  const { encoder, decoder } = buildCvae({ ...CVAE_PAPER_PRESET, seed: 0 });
  assert.deepEqual(layersOf(encoder, 'Conv2D').map((l) => l.outputShape), [[null, 64, 64, 32], [null, 32, 32, 64]]);
  assert.deepEqual(encoder.outputs.map((o) => o.shape), [[null, 128], [null, 128]]);
  assert.deepEqual(layersOf(decoder, 'Reshape')[0].outputShape, [null, 32, 32, 64]);
  assert.deepEqual(layersOf(decoder, 'Conv2DTranspose').map((l) => l.outputShape), [[null, 64, 64, 32], [null, 128, 128, 1]]);
  // Encoder: 3x3 convs 1 -> 32 -> 64, two heads from 32*32*64 to 128.
  const encoderExpected = conv(3, 1, 32) + conv(3, 32, 64) + 2 * fc(32 * 32 * 64, 128);
  // Decoder: 128 -> 32*32*64, transposed 3x3 64 -> 32, transposed 4x4 32 -> 1.
  const decoderExpected = fc(128, 32 * 32 * 64) + conv(3, 64, 32) + conv(4, 32, 1);
  console.log(`CVAE @128 width 1: encoder ${encoder.countParams()} + decoder ${decoder.countParams()} parameters`);
  assert.equal(encoder.countParams(), encoderExpected);
  assert.equal(decoder.countParams(), decoderExpected);
  assert.deepEqual([encoderExpected, decoderExpected], [16_796_288, 8_473_121]);

  const x = tf.randomUniform([2, 128, 128, 1], 0, 1, 'float32', 3);
  const [mean] = encoder.predict(x) as tf.Tensor[];
  const image = decoder.predict(mean) as tf.Tensor;
  assert.deepEqual(image.shape, [2, 128, 128, 1]);
  const [lo, hi] = [(await image.min().data())[0], (await image.max().data())[0]];
  assert.ok(lo >= 0 && hi <= 1, `decoder output outside [0, 1]: ${lo}..${hi}`);
  tf.dispose([x, mean, image]);
  encoder.dispose();
  decoder.dispose();
});

test('width scales the filters and sizes that are not multiples of 4 are refused', () => {
  const { encoder } = buildCvae({ imageSize: 32, width: 0.5, latentDim: 8, seed: 0 });
  assert.deepEqual(layersOf(encoder, 'Conv2D').map((l) => l.outputShape), [[null, 16, 16, 16], [null, 8, 8, 32]]);
  encoder.dispose();
  assert.throws(() => buildCvae({ imageSize: 30, width: 1, latentDim: 8, seed: 0 }), /multiple of 4/);
});

test('CVAE training at 16x16 lowers the loss over 30 steps with a flat tensor count; error maps are deterministic', async () => {
  const model = buildCvae({ imageSize: 16, width: 0.25, latentDim: 4, seed: 1 });
  const optimizer = tf.train.adam(3e-3);
  const xs = discBatch(8, 16, 16 / 6, 0.3);
  const first = await elboStep(model, optimizer, xs, { seed: 1, step: 0, beta: 1, label: 'CVAE' });
  const tensors = tf.memory().numTensors;
  let last = first;
  for (let step = 1; step < 30; step++) {
    last = await elboStep(model, optimizer, xs, { seed: 1, step, beta: 1, label: 'CVAE' });
    assert.equal(tf.memory().numTensors, tensors, `tensor count changed at step ${step}`);
    assert.ok(Math.abs(last.total - (last.reconstruction + last.kl)) < 1e-3 * last.total);
  }
  console.log(`CVAE @16: total ${first.total.toFixed(1)} -> ${last.total.toFixed(1)} (KL ${last.kl.toFixed(2)})`);
  assert.ok(last.total < 0.8 * first.total, `loss did not fall: ${first.total} -> ${last.total}`);

  const a = await errorMaps(model, xs, 3);
  const b = await errorMaps(model, xs, 8);
  assert.equal(tf.memory().numTensors, tensors, 'errorMaps leaked tensors');
  assert.equal(a.length, 8 * 16 * 16);
  assert.deepEqual(a, b, 'error maps depend on the batch size or on random noise');
  assert.ok(a.every((e) => e >= 0 && e <= 1));
  tf.dispose(xs);
  optimizer.dispose();
  model.encoder.dispose();
  model.decoder.dispose();
});

test('the same seed and step draw the same noise, another step draws different noise', async () => {
  const run = async (step: number) => {
    const model = buildCvae({ imageSize: 16, width: 0.25, latentDim: 4, seed: 2 });
    const optimizer = tf.train.sgd(0);
    const xs = discBatch(4, 16, 16 / 6, 0.3);
    const r = await elboStep(model, optimizer, xs, { seed: 5, step, beta: 1, label: 'CVAE' });
    tf.dispose(xs);
    optimizer.dispose();
    model.encoder.dispose();
    model.decoder.dispose();
    return r.total;
  };
  const [s0, s0again, s1] = [await run(0), await run(0), await run(1)];
  assert.equal(s0, s0again);
  assert.notEqual(s0, s1);
});
