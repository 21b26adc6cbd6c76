// Generative VAE training (paper section 5.1): one optimiser step on the ELBO (losses.ts), with
// the reparameterisation noise drawn from a seeded source that advances at every step, and
// sampling from the decoder. The BrainCVAE trains with the same step.
import * as tf from '@tensorflow/tfjs';
import { elboLoss, noiseSeedOf, type EncoderDecoder } from './losses';
import { trainableVariables } from './resume-state';

export interface VaeStepResult {
  reconstruction: number;
  kl: number;
  total: number;
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
  const variables = trainableVariables(models.encoder, models.decoder);
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
