// The quality measure during training: the same generator and seed give the same figures (the
// curve moves with the generator, not the sample), it leaves no tensor behind, and the epochs
// measured are every `qualityEvery` and the last.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../workers/engine/backend';
import { buildGan, GAN_LATENT_DIM } from '../../workers/models/gan';
import { isQualityEpoch, measureEpochQuality, validationReference } from '../../workers/eval/training-quality';
import { drawImages } from '../../workers/eval/images';
import type { DomainEncoder } from '../../workers/eval/domain-encoder';
import { createRng } from '../../lib/rng';

before(async () => {
  await initEngine();
});

/** A stand-in encoder: block means of the pixels as features, and "tumour" for an image brighter
 * than mid-grey (the real one is a cached BrainCNN). */
const features = (images: Uint8Array[]) => images.map((img) => Float64Array.from({ length: 16 }, (_, j) => img.subarray(j * 64, (j + 1) * 64).reduce((a, b) => a + b, 0) / 64));
const brighter = (img: Uint8Array) => (img.reduce((a, b) => a + b, 0) / img.length > 127.5 ? 1 : 0);
const encoder = { features: async (images: Uint8Array[]) => features(images), encode: async (images: Uint8Array[]) => ({ features: features(images), predicted: images.map(brighter) }) } as unknown as DomainEncoder;

test('quality is measured every qualityEvery epochs and at the last; runs without the field measure nothing', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].filter((e) => isQualityEpoch(e, 3, 7)), [3, 6, 7]);
  assert.deepEqual([1, 2, 3].filter((e) => isQualityEpoch(e, undefined, 3)), []);
});

test('the same generator and seed give the same figures, and no tensor is left behind', async () => {
  const gan = buildGan({ imageSize: 32, width: 0.25, seed: 1 });
  const rand = createRng(3);
  const real = Array.from({ length: 24 }, () => Uint8Array.from({ length: 32 * 32 }, () => Math.floor(rand() * 256)));
  const reference = await validationReference(encoder, real, 'tumor');
  const opts = { generator: gan.generator, latentDim: GAN_LATENT_DIM, size: 32, samples: 40, seed: 11, encoder, reference, epoch: 2, step: 8, shouldStop: () => false };
  const before = tf.memory().numTensors;
  const a = await measureEpochQuality(opts);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  const b = await measureEpochQuality(opts);
  assert.deepEqual(a, b);
  assert.equal(a.samples, 40);
  assert.equal(a.realVal, 24);
  assert.ok(Number.isFinite(a.fid) && a.fid > 0);
  assert.ok(a.precision >= 0 && a.precision <= 1 && a.recall >= 0 && a.recall <= 1);
  // Class fidelity: the share of the sample, and of the real images, the encoder calls "tumour".
  const drawn = await drawImages(gan.generator, GAN_LATENT_DIM, 40, 32, 11, () => false, () => undefined);
  const share = (images: Uint8Array[]) => images.filter((img) => brighter(img) === 1).length / images.length;
  assert.deepEqual(a.classFidelity, { synthetic: share(drawn), realVal: share(real) });
  const healthy = await measureEpochQuality({ ...opts, reference: await validationReference(encoder, real, 'healthy') });
  assert.equal(healthy.classFidelity?.synthetic, 1 - share(drawn), 'the healthy share counts the images called healthy');
  await assert.rejects(validationReference(encoder, real.slice(0, 1), 'tumor'), /at least 2 real validation images/);
  gan.generator.dispose();
  gan.discriminator.dispose();
});

test("a seed-0 draw (a synthesis run's first generator) gives the same images every time", async () => {
  const gan = buildGan({ imageSize: 32, width: 0.25, seed: 0 });
  const draw = () => drawImages(gan.generator, GAN_LATENT_DIM, 70, 32, 0, () => false, () => undefined);
  const [a, b] = [await draw(), await draw()];
  // Both batches (64 + 6 images) repeat, the first one included.
  assert.deepEqual(a.map((img) => Buffer.from(img).toString('base64')), b.map((img) => Buffer.from(img).toString('base64')));
  assert.notDeepEqual(Array.from(a[0]), Array.from(a[64]), 'different latents give different images');
  gan.generator.dispose();
  gan.discriminator.dispose();
});
