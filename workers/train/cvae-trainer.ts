// BrainCVAE training and reconstruction error (paper section 5.2): one optimiser step on
// reconstruction + KL with seeded reparameterisation noise, and the pixel-wise |x - x_hat| maps
// from which the anomaly techniques (workers/eval/anomaly.ts) classify.
import * as tf from '@tensorflow/tfjs';
import type { CvaeModels } from '../models/cvae';
import { elboStep } from './vae-trainer';

export interface CvaeStepOptions {
  /** Seed of the run; with `step` it fixes the reparameterisation noise of this step. */
  seed: number;
  /** Index of the step in the run, so that every step draws fresh yet reproducible noise. */
  step: number;
}

export interface CvaeStepResult {
  reconstruction: number;
  kl: number;
  total: number;
}

/**
 * One step on reconstruction + KL. The paper only says "a custom loss"; the reconstruction term is
 * the binary cross-entropy summed over the pixels of an image and averaged over the batch (the
 * usual PyTorch VAE reduction, and the same step as our generator VAE), so it weighs against the
 * KL sum.
 */
export function trainCvaeStep(model: CvaeModels, optimizer: tf.Optimizer, xs: tf.Tensor4D, { seed, step }: CvaeStepOptions): Promise<CvaeStepResult> {
  return elboStep(model, optimizer, xs, { seed, step, beta: 1, label: 'CVAE' });
}

/**
 * Pixel-wise reconstruction error |x - x_hat| (section 5.2) of every image, decoded from the mean
 * latent so the maps are deterministic. Returns N * S * S values, image after image, row-major.
 */
export async function errorMaps(model: CvaeModels, xs: tf.Tensor4D, batchSize: number): Promise<Float32Array> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`errorMaps: batch size must be a positive integer, got ${batchSize}`);
  const [n, h, w] = xs.shape;
  const out = new Float32Array(n * h * w);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const err = tf.tidy(() => {
      const x = tf.slice(xs, [start, 0, 0, 0], [count, h, w, 1]);
      const [mean] = model.encoder.apply(x, { training: false }) as tf.Tensor2D[];
      return tf.abs(tf.sub(x, model.decoder.apply(mean, { training: false }) as tf.Tensor4D));
    });
    out.set(await err.data(), start * h * w);
    err.dispose();
  }
  return out;
}
