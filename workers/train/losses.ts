// The loss of each model, written once: the one-thread steps (cnn-trainer.ts, vae-trainer.ts,
// gan-trainer.ts) and the data-parallel replicas (replicas.ts) call these same functions inside
// their gradient tapes, so the thread count changes no result beyond float rounding.
import * as tf from '@tensorflow/tfjs';
import { GAN_LATENT_DIM, type GanModels } from '../models/gan';
import type { Shard } from '../parallel/replica';
import { tfjsSeed } from '../../lib/rng';

/** BrainCNN: the softmax cross-entropy of a batch, and whether each image was classified right
 * (1 or 0, for the accuracy). */
export function cnnLoss(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor): { loss: tf.Scalar; correct: tf.Tensor1D } {
  const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
  const correct = tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(ys, 1)), 'float32') as tf.Tensor1D;
  return { loss: tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar, correct };
}

// PyTorch's binary_cross_entropy clamps log(p) at -100; clipping p keeps log finite the same way.
const EPS = 1e-7;

/** Any encoder (image -> [mean, logVar]) and decoder (z -> image in [0, 1]) pair: the generator
 * VAE and the BrainCVAE share the ELBO. */
export interface EncoderDecoder {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
}

/** The seed of the noise drawn at step `step` of a run of seed `seed` (the VAE's
 * reparameterisation noise, the GAN's latents); step 0 of a seed-0 run goes through tfjsSeed. */
export const noiseSeedOf = (seed: number, step: number) => tfjsSeed(seed * 1_000_003 + step, 2 ** 31 - 1);

/**
 * The ELBO loss of a batch, for use inside a gradient tape: reconstruction + beta * KL, the
 * binary cross-entropy summed over each image's pixels and averaged over the batch (PyTorch's
 * reduction="sum" / batch), so it weighs against the KL sum, and the KL averaged over the batch.
 * The paper only says "a custom loss" for the BrainCVAE; it uses this one too. `rows` says which
 * rows of a larger batch xs is (data-parallel training): the noise is drawn for the whole batch
 * and sliced, so it does not depend on how the batch is split.
 */
export function elboLoss(models: EncoderDecoder, xs: tf.Tensor4D, noiseSeed: number, beta: number, rows?: Shard): { total: tf.Scalar; reconstruction: tf.Scalar; kl: tf.Scalar } {
  const batch = xs.shape[0];
  const [mean, logVar] = models.encoder.apply(xs, { training: true }) as tf.Tensor2D[];
  // Reparameterisation: z = mean + eps * exp(logVar / 2), so gradients reach both heads.
  const eps = rows
    ? tf.slice(tf.randomNormal([rows.total, mean.shape[1]], 0, 1, 'float32', noiseSeed), rows.offset, batch)
    : tf.randomNormal(mean.shape, 0, 1, 'float32', noiseSeed);
  const z = tf.add(mean, tf.mul(eps, tf.exp(tf.mul(logVar, 0.5))));
  const p = tf.clipByValue(models.decoder.apply(z, { training: true }) as tf.Tensor4D, EPS, 1 - EPS);
  const bce = tf.neg(tf.add(tf.mul(xs, tf.log(p)), tf.mul(tf.sub(1, xs), tf.log(tf.sub(1, p)))));
  const reconstruction = tf.div(tf.sum(bce), batch) as tf.Scalar;
  const klPerImage = tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar)), 1));
  const kl = tf.mean(klPerImage) as tf.Scalar;
  return { total: tf.add(reconstruction, tf.mul(kl, beta)) as tf.Scalar, reconstruction, kl };
}

/** The GAN's real-image target: only the real side is smoothed (one-sided label smoothing);
 * smoothing the fake side rewards D for fakes it should reject. */
export const GAN_REAL_TARGET = 0.9;

/** Seeded latents for one step: step n of a run always draws the same z. With `rows`, the
 * latents of the whole batch are drawn and those rows kept, whatever the split. */
export function ganLatents(batch: number, step: number, seed = 0, rows?: Shard): tf.Tensor2D {
  if (!rows) return tf.randomNormal([batch, GAN_LATENT_DIM], 0, 1, 'float32', noiseSeedOf(seed, step));
  return tf.slice(ganLatents(rows.total, step, seed), rows.offset, batch);
}

/** The discriminator's loss on real images (target GAN_REAL_TARGET) and on a fake batch
 * (target 0), with its mean output on each, D(x) and D(G(z)). */
export function discriminatorLoss(discriminator: tf.LayersModel, realXs: tf.Tensor, fake: tf.Tensor): { loss: tf.Scalar; dReal: tf.Scalar; dFake: tf.Scalar } {
  const realLogits = discriminator.apply(realXs, { training: true }) as tf.Tensor2D;
  const fakeLogits = discriminator.apply(fake, { training: true }) as tf.Tensor2D;
  const dReal = tf.mean(tf.sigmoid(realLogits)) as tf.Scalar;
  const dFake = tf.mean(tf.sigmoid(fakeLogits)) as tf.Scalar;
  const realLoss = tf.losses.sigmoidCrossEntropy(tf.fill(realLogits.shape, GAN_REAL_TARGET), realLogits);
  const fakeLoss = tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits);
  return { loss: tf.add(realLoss, fakeLoss) as tf.Scalar, dReal, dFake };
}

/** The generator's non-saturating loss: maximise log D(G(z)) rather than minimise
 * log(1 - D(G(z))), whose gradient vanishes while D still rejects every fake. */
export function generatorLoss(gan: GanModels, z: tf.Tensor2D): tf.Scalar {
  const logits = gan.discriminator.apply(gan.generator.apply(z, { training: true }), { training: true }) as tf.Tensor2D;
  return tf.losses.sigmoidCrossEntropy(tf.onesLike(logits), logits) as tf.Scalar;
}
