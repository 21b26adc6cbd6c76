// Turns a stored dataset split into tensors at a model's image size: pixels in [0, 1] as
// [N, S, S, 1] and one-hot labels [N, 2] (column 1 = tumour).
import * as tf from '@tensorflow/tfjs';
import type { DatasetFiles } from './dataset-store';
import { createRng, shuffleInPlace } from '../../lib/rng';

export interface SplitTensors {
  xs: tf.Tensor4D;
  ys: tf.Tensor2D;
  labels: Uint8Array;
}

/** Picks at most `limit` indices, at random but reproducibly, so a capped split stays mixed. */
export function capIndices(indices: number[], limit: number | undefined, seed: number): number[] {
  if (limit === undefined || indices.length <= limit) return indices;
  return shuffleInPlace([...indices], createRng(seed)).slice(0, limit).sort((a, b) => a - b);
}

export function splitToTensors(files: DatasetFiles, indices: number[], targetSize: number): SplitTensors {
  const { size } = files;
  const pixels = new Float32Array(indices.length * size * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, i) => {
    const offset = index * size * size;
    for (let p = 0; p < size * size; p++) pixels[i * size * size + p] = files.images[offset + p] / 255;
    labels[i] = files.labels[index];
  });
  const xs = tf.tidy(() => {
    const full = tf.tensor4d(pixels, [indices.length, size, size, 1]);
    if (targetSize === size) return full;
    // An integer reduction is an exact area average (no aliasing); otherwise resample bilinearly.
    if (size % targetSize === 0) return tf.avgPool(full, size / targetSize, size / targetSize, 'valid') as tf.Tensor4D;
    return tf.image.resizeBilinear(full, [targetSize, targetSize]);
  });
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat() as tf.Tensor2D);
  return { xs, ys, labels };
}
