// GAN training (paper section 5.1) with the usual DCGAN stabilisers: Adam(2e-4, beta1 0.5),
// one-sided label smoothing and the non-saturating generator loss (losses.ts), and a clear error
// as soon as a loss stops being finite. Latents come from a seeded source per step.
import * as tf from '@tensorflow/tfjs';
import type { GanModels } from '../models/gan';
import { adamDefaults, type AdamSettings } from '../parallel/replica';
import { discriminatorLoss, ganLatents, generatorLoss } from './losses';
import { trainableVariables } from './resume-state';

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

/** The DCGAN's Adam (Radford et al.): beta1 0.5 damps the oscillation of the game. Both the
 * discriminator and the generator use it, on one thread or data-parallel. */
export const ganAdam = (learningRate = 2e-4): AdamSettings => ({ ...adamDefaults(learningRate), beta1: 0.5, beta2: 0.999 });

/** The optimiser pair, with ganAdam's betas (and tf.train.adam's own epsilon). */
export function createGanOptimizers(learningRate = 2e-4): GanOptimizers {
  const { beta1, beta2 } = ganAdam(learningRate);
  return { g: tf.train.adam(learningRate, beta1, beta2), d: tf.train.adam(learningRate, beta1, beta2) };
}


export async function trainGanStep(gan: GanModels, optimizers: GanOptimizers, realXs: tf.Tensor4D, step: number, seed = 0): Promise<GanStepResult> {
  const batch = realXs.shape[0];
  const z = ganLatents(batch, step, seed);
  // D step on a detached fake batch (G in training mode, as in the reference).
  const fake = tf.tidy(() => gan.generator.apply(z, { training: true }) as tf.Tensor4D);
  let probs: tf.Scalar[] = [];
  const dLoss = optimizers.d.minimize(
    () => {
      const out = discriminatorLoss(gan.discriminator, realXs, fake);
      probs = [tf.keep(out.dReal), tf.keep(out.dFake)];
      return out.loss;
    },
    true,
    trainableVariables(gan.discriminator),
  ) as tf.Scalar;
  fake.dispose();
  // G step against the updated D.
  const gLoss = optimizers.g.minimize(() => generatorLoss(gan, z), true, trainableVariables(gan.generator)) as tf.Scalar;
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
