// Images as the quality measures read them (uint8, one array per image): drawn from a generator
// with seeded latents, in batches that yield to the event loop, or real images resized as the
// models see them. Shared by the synthesis job and the quality measure during training.
import * as tf from '@tensorflow/tfjs';
import type { DatasetFiles } from '../data/dataset-store';
import { splitToTensors } from '../data/tensors';
import { RunStoppedError } from '../train/epoch-loop';
import { tfjsSeed } from '../../lib/rng';

const BATCH = 64;

/** The seed of batch `b`'s latents. Without tfjsSeed the first batch of a seed-0 draw (every
 * synthesis run's first generator by default) was unseeded, and the same synthesis gave a new
 * dataset version each time. */
export const drawSeed = (seed: number, batch: number) => tfjsSeed(seed * 1000 + batch, 2 ** 31 - 2);

/** `n` images from `model` (a VAE decoder or GAN generator) on latents seeded by `seed`: the same
 * seed gives the same images. */
export async function drawImages(model: tf.LayersModel, latentDim: number, n: number, size: number, seed: number, shouldStop: () => boolean, onBatch: (done: number) => void): Promise<Uint8Array[]> {
  const images: Uint8Array[] = [];
  for (let start = 0, b = 0; start < n; start += BATCH, b++) {
    if (shouldStop()) throw new RunStoppedError('the run was cancelled');
    const count = Math.min(BATCH, n - start);
    const out = tf.tidy(() => {
      const z = tf.randomNormal([count, latentDim], 0, 1, 'float32', drawSeed(seed, b));
      return (model.apply(z, { training: false }) as tf.Tensor4D).clipByValue(0, 1).mul(255).round();
    });
    const pixels = await out.data();
    out.dispose();
    for (let i = 0; i < count; i++) images.push(Uint8Array.from(pixels.subarray(i * size * size, (i + 1) * size * size)));
    onBatch(images.length);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return images;
}

/** Real images at `size`, resized as the models see them (splitToTensors), back in uint8. */
export function realImages(files: DatasetFiles, indices: number[], size: number): Uint8Array[] {
  if (indices.length === 0) return [];
  const { xs, ys } = splitToTensors(files, indices, size);
  const pixels = tf.tidy(() => xs.mul(255).round().clipByValue(0, 255));
  const data = pixels.dataSync();
  tf.dispose([xs, ys, pixels]);
  return indices.map((_, i) => Uint8Array.from(data.subarray(i * size * size, (i + 1) * size * size)));
}
