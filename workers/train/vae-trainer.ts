// Generative VAE training (paper section 5.1): one optimiser step on the summed-pixel binary
// cross-entropy plus beta * KL, with the reparameterisation noise drawn from a seeded source
// that advances at every step, and sampling from the decoder.
import * as tf from '@tensorflow/tfjs';

export interface VaeStepResult {
  reconstruction: number;
  kl: number;
  total: number;
}

// PyTorch's binary_cross_entropy clamps log(p) at -100; clipping p keeps log finite the same way.
const EPS = 1e-7;

/** Any encoder (image -> [mean, logVar]) and decoder (z -> image in [0, 1]) pair: the generator
 * VAE and the BrainCVAE share this step. */
export interface EncoderDecoder {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
}

/** The seed of step `step`'s reparameterisation noise in a run of seed `seed`. */
export const noiseSeedOf = (seed: number, step: number) => seed * 1_000_003 + step;

/**
 * The ELBO loss of a batch, for use inside a gradient tape: reconstruction + beta * KL, the
 * binary cross-entropy summed over each image's pixels and averaged over the batch (PyTorch's
 * reduction="sum" / batch), so it weighs against the KL sum, and the KL averaged over the batch.
 * The paper only says "a custom loss" for the BrainCVAE; it uses this one too. `rows` says which
 * rows of a larger batch xs is (data-parallel training): the noise is drawn for the whole batch
 * and sliced, so it does not depend on how the batch is split.
 */
export function elboLoss(models: EncoderDecoder, xs: tf.Tensor4D, noiseSeed: number, beta: number, rows?: { offset: number; total: number }): { total: tf.Scalar; reconstruction: tf.Scalar; kl: tf.Scalar } {
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

/** The error a diverged ELBO step throws, naming its parts. */
export function checkElbo(result: VaeStepResult, label: string, step: number): VaeStepResult {
  if (!Number.isFinite(result.total)) {
    throw new Error(`${label} training diverged at step ${step}: loss became ${result.total} (reconstruction ${result.reconstruction}, KL ${result.kl}); lower the learning rate`);
  }
  return result;
}

/** One optimiser step on the ELBO, on this thread, with the noise fixed by (seed, step). Throws on
 * a non-finite loss. */
export async function elboStep(models: EncoderDecoder, optimizer: tf.Optimizer, xs: tf.Tensor4D, opts: { seed: number; step: number; beta: number; label: string }): Promise<VaeStepResult> {
  const { step, beta } = opts;
  let parts: tf.Scalar[] = [];
  // Trainable variables only (batch-norm moving statistics are not).
  const variables = [...models.encoder.trainableWeights, ...models.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  const total = optimizer.minimize(
    () => {
      const loss = elboLoss(models, xs, noiseSeedOf(opts.seed, step), beta);
      parts = [tf.keep(loss.reconstruction), tf.keep(loss.kl)];
      return loss.total;
    },
    true,
    variables,
  ) as tf.Scalar;
  const [totalValue, reconValue, klValue] = await Promise.all([total.data(), parts[0].data(), parts[1].data()]);
  tf.dispose([total, ...parts]);
  return checkElbo({ reconstruction: reconValue[0], kl: klValue[0], total: totalValue[0] }, opts.label, step);
}

/** Decodes latent vectors into images in inference mode (batch-norm moving statistics). */
export function sampleVae(decoder: tf.LayersModel, z: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => decoder.apply(z, { training: false }) as tf.Tensor4D);
}
