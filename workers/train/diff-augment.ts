// Differentiable augmentation (Zhao et al., 2020, "DiffAugment") for the small-data GAN: the
// discriminator sees real and generated images through the same random brightness, contrast,
// translation and cutout, in its own step and in the generator's, so it cannot memorise the few
// hundred real images and the generator still learns the un-augmented distribution (every
// transform is differentiable in the image). The draws are seeded per run, step and stream, for
// the whole batch, and a data-parallel shard keeps its rows: the thread count changes nothing.
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../lib/rng';
import type { Shard } from '../parallel/replica';

/** Which draw of a step: the real and the fake batch of the discriminator's step, the fake batch
 * of the generator's step. */
export type AugmentStream = 'd-real' | 'd-fake' | 'g-fake';
const STREAM_INDEX: Record<AugmentStream, number> = { 'd-real': 0, 'd-fake': 1, 'g-fake': 2 };

/** DiffAugment's "color, translation, cutout" policy for grayscale images in [0, 1]: brightness
 * +-0.25 (DiffAugment's +-0.5 on [-1, 1]), contrast x0.5-1.5, translation up to 1/8 of the side
 * with zero fill, and one zeroed square of half the side per image. */
export const DIFF_AUGMENT = { brightness: 0.25, contrastLow: 0.5, contrastHigh: 1.5, translation: 1 / 8, cutout: 1 / 2 } as const;

export interface AugmentDraw {
  brightness: Float32Array;
  contrast: Float32Array;
  /** Shift of each image in pixels, rows then columns. */
  dy: Int32Array;
  dx: Int32Array;
  /** Top-left corner of each image's cutout square. */
  cy: Int32Array;
  cx: Int32Array;
}

/** The augmentation parameters of a whole batch of `total` images of side `size`. */
export function drawAugment(total: number, size: number, seed: number, step: number, stream: AugmentStream): AugmentDraw {
  const rng = createRng((seed * 1_000_003 + step * 3 + STREAM_INDEX[stream]) ^ 0x5bd1e995);
  const shift = Math.floor(size * DIFF_AUGMENT.translation);
  const cut = Math.floor(size * DIFF_AUGMENT.cutout);
  const draw: AugmentDraw = {
    brightness: new Float32Array(total),
    contrast: new Float32Array(total),
    dy: new Int32Array(total),
    dx: new Int32Array(total),
    cy: new Int32Array(total),
    cx: new Int32Array(total),
  };
  for (let i = 0; i < total; i++) {
    draw.brightness[i] = (rng() * 2 - 1) * DIFF_AUGMENT.brightness;
    draw.contrast[i] = DIFF_AUGMENT.contrastLow + rng() * (DIFF_AUGMENT.contrastHigh - DIFF_AUGMENT.contrastLow);
    draw.dy[i] = Math.floor(rng() * (2 * shift + 1)) - shift;
    draw.dx[i] = Math.floor(rng() * (2 * shift + 1)) - shift;
    // The square's centre anywhere in the image, clipped at the edges (as DiffAugment does).
    draw.cy[i] = Math.floor(rng() * (size + 1 - (cut % 2))) - Math.floor(cut / 2);
    draw.cx[i] = Math.floor(rng() * (size + 1 - (cut % 2))) - Math.floor(cut / 2);
  }
  return draw;
}

/** Shift matrices S (one per image) with (S x)[i] = x[i - d], zero where i - d falls outside. */
function shiftMatrices(shifts: Int32Array, size: number): tf.Tensor3D {
  const n = shifts.length;
  const values = new Float32Array(n * size * size);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < size; i++) {
      const j = i - shifts[k];
      if (j >= 0 && j < size) values[k * size * size + i * size + j] = 1;
    }
  }
  return tf.tensor3d(values, [n, size, size]);
}

/**
 * DiffAugment of a batch [n, size, size, 1] (rows `rows.offset`.. of a batch of `rows.total`),
 * differentiable in x: contrast about each image's mean, brightness, then translation (as
 * S_y X S_x^T with per-image shift matrices) and the cutout mask.
 */
export function diffAugment(x: tf.Tensor4D, seed: number, step: number, stream: AugmentStream, rows?: Shard): tf.Tensor4D {
  const [n, size] = x.shape;
  const shard = rows ?? { offset: 0, total: n };
  const all = drawAugment(shard.total, size, seed, step, stream);
  const pick = <T extends Float32Array | Int32Array>(a: T) => a.subarray(shard.offset, shard.offset + n) as T;
  const draw: AugmentDraw = { brightness: pick(all.brightness), contrast: pick(all.contrast), dy: pick(all.dy), dx: pick(all.dx), cy: pick(all.cy), cx: pick(all.cx) };
  const cut = Math.floor(size * DIFF_AUGMENT.cutout);
  const mask = new Float32Array(n * size * size).fill(1);
  for (let k = 0; k < n; k++) {
    for (let i = Math.max(0, draw.cy[k]); i < Math.min(size, draw.cy[k] + cut); i++) {
      for (let j = Math.max(0, draw.cx[k]); j < Math.min(size, draw.cx[k] + cut); j++) mask[k * size * size + i * size + j] = 0;
    }
  }
  return tf.tidy(() => {
    const perImage = (a: Float32Array) => tf.tensor4d(a, [n, 1, 1, 1]);
    const mean = tf.mean(x, [1, 2, 3], true);
    const colored = tf.add(tf.add(tf.mul(tf.sub(x, mean), perImage(draw.contrast)), mean), perImage(draw.brightness));
    const images = tf.reshape(colored, [n, size, size]) as tf.Tensor3D;
    const shifted = tf.matMul(tf.matMul(shiftMatrices(draw.dy, size), images), shiftMatrices(draw.dx, size), false, true);
    return tf.mul(tf.reshape(shifted, [n, size, size, 1]), tf.tensor4d(mask, [n, size, size, 1])) as tf.Tensor4D;
  });
}
