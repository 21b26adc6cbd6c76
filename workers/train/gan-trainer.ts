// GAN training (paper section 5.1) with the usual DCGAN stabilisers: Adam(2e-4, beta1 0.5),
// one-sided label smoothing (real target 0.9), the non-saturating generator loss, and a clear
// error as soon as a loss stops being finite. Latents come from a seeded source per step.
import * as tf from '@tensorflow/tfjs';
import { GAN_LATENT_DIM, type GanModels } from '../models/gan';

export interface GanOptimizers {
  g: tf.Optimizer;
  d: tf.Optimizer;
}

export interface GanStepResult {
  dLoss: number;
  gLoss: number;
  /** Mean D(x) on the real batch (sigmoid of the logits), before this step's update. */
  dReal: number;
  /** Mean D(G(z)) on the fake batch, before this step's update. */
  dFake: number;
}

/** Only the real side is smoothed: smoothing the fake side rewards D for fakes it should reject. */
export const GAN_REAL_TARGET = 0.9;

/** The DCGAN optimiser pair (Radford et al.): beta1 0.5 damps the oscillation of the game. */
export function createGanOptimizers(learningRate = 2e-4): GanOptimizers {
  return { g: tf.train.adam(learningRate, 0.5, 0.999), d: tf.train.adam(learningRate, 0.5, 0.999) };
}

const variables = (model: tf.LayersModel) => model.trainableWeights.map((w) => w.read() as tf.Variable);

/** Seeded latents for one step: step n of a run always draws the same z. */
export function ganLatents(batch: number, step: number, seed = 0): tf.Tensor2D {
  return tf.randomNormal([batch, GAN_LATENT_DIM], 0, 1, 'float32', seed * 1_000_003 + step);
}

export async function trainGanStep(gan: GanModels, optimizers: GanOptimizers, realXs: tf.Tensor4D, step: number, seed = 0): Promise<GanStepResult> {
  const batch = realXs.shape[0];
  const z = ganLatents(batch, step, seed);
  // D step on a detached fake batch (G in training mode, as in the reference).
  const fake = tf.tidy(() => gan.generator.apply(z, { training: true }) as tf.Tensor4D);
  let probs: tf.Scalar[] = [];
  const dLoss = optimizers.d.minimize(
    () => {
      const realLogits = gan.discriminator.apply(realXs, { training: true }) as tf.Tensor2D;
      const fakeLogits = gan.discriminator.apply(fake, { training: true }) as tf.Tensor2D;
      probs = [tf.keep(tf.mean(tf.sigmoid(realLogits)) as tf.Scalar), tf.keep(tf.mean(tf.sigmoid(fakeLogits)) as tf.Scalar)];
      const realLoss = tf.losses.sigmoidCrossEntropy(tf.fill(realLogits.shape, GAN_REAL_TARGET), realLogits);
      const fakeLoss = tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits);
      return tf.add(realLoss, fakeLoss) as tf.Scalar;
    },
    true,
    variables(gan.discriminator),
  ) as tf.Scalar;
  fake.dispose();
  // G step against the updated D. Non-saturating loss: maximise log D(G(z)) rather than
  // minimise log(1 - D(G(z))), whose gradient vanishes while D still rejects every fake.
  const gLoss = optimizers.g.minimize(
    () => {
      const logits = gan.discriminator.apply(gan.generator.apply(z, { training: true }), { training: true }) as tf.Tensor2D;
      return tf.losses.sigmoidCrossEntropy(tf.onesLike(logits), logits) as tf.Scalar;
    },
    true,
    variables(gan.generator),
  ) as tf.Scalar;
  const values = await Promise.all([dLoss.data(), gLoss.data(), probs[0].data(), probs[1].data()]);
  tf.dispose([z, dLoss, gLoss, ...probs]);
  const [d, g, real, fk] = values.map((v) => v[0]);
  return checkGan({ dLoss: d, gLoss: g, dReal: real, dFake: fk }, step);
}

/** The error a diverged GAN step throws. */
export function checkGan(result: GanStepResult, step: number): GanStepResult {
  if (!Number.isFinite(result.dLoss) || !Number.isFinite(result.gLoss)) {
    throw new Error(`GAN training diverged at step ${step}: discriminator loss ${result.dLoss}, generator loss ${result.gLoss}; lower the learning rate or restart from another seed`);
  }
  return result;
}
