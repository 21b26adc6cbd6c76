// The BrainCVAE's reconstruction error (paper section 5.2): the pixel-wise |x - x_hat| maps from
// which the anomaly techniques (workers/eval/anomaly.ts) classify. It trains with the generator
// VAE's ELBO step (vae-trainer.ts, through train/elbo-stepper.ts).
import * as tf from '@tensorflow/tfjs';
import type { CvaeModels } from '../models/cvae';

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
