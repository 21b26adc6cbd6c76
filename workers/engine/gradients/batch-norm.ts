// Gradients of training-mode batch norm (FusedBatchNorm, and the Mean of tf.moments) for the wasm
// backend, without the full-size Tile and ones-tensor products of the stock gradients.
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import type { Tf } from '../backend';

/**
 * y = (x - mean) * rstd * scale + offset, rstd = 1/sqrt(variance + eps), per channel (last axis).
 * With k = rstd * scale and S1 = Σ dy, S2 = Σ dy * (x - mean) over all but the last axis:
 *   dx = dy * k, dmean = -k * S1, dvariance = -scale * rstd³ * S2 / 2, dscale = rstd * S2, doffset = S1.
 * That is two full-size products, one difference and two reductions (one pass each on wasm, see
 * leading-reduce.ts), where the stock gradient tiles rstd to x's size (one Tile on wasm took
 * 1.2 s of a 13.8 s BrainCNN step at 128x128) and multiplies full-size tensors seven times.
 */
function batchNormGrad(tf: Tf, dy: Tensor, [x, mean, variance, scale]: Tensor[], eps: number) {
  const axes = [...Array(x.rank - 1).keys()];
  const rstd = tf.rsqrt(tf.add(variance, eps));
  const k = scale ? tf.mul(rstd, scale) : rstd;
  const sumDy = tf.sum(dy, axes);
  const sumDyCentred = tf.sum(tf.mul(dy, tf.sub(x, mean)), axes);
  return {
    x: () => tf.mul(dy, k),
    mean: () => tf.reshape(tf.neg(tf.mul(k, sumDy)), mean.shape),
    variance: () => tf.reshape(tf.mul(tf.mul(tf.mul(tf.pow(rstd, 3), -0.5), scale ?? 1), sumDyCentred), mean.shape),
    scale: () => tf.reshape(tf.mul(rstd, sumDyCentred), mean.shape),
    offset: () => tf.reshape(sumDy, mean.shape),
  };
}

/**
 * Replaces the registered gradient (the registry is global) but keeps the stock one for every
 * other backend and for per-element statistics, so cpu results stay the reference in tests.
 */
export function batchNormGradConfig(tf: Tf, stock: GradConfig): GradConfig {
  return {
    ...stock,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x, mean, variance] = saved;
      const perChannel = mean.rank === 1 && variance.rank === 1 && x.rank >= 2 && mean.shape[0] === x.shape[x.rank - 1];
      if (tf.getBackend() !== 'wasm' || !perChannel || Array.isArray(dy)) return stock.gradFunc(dy, saved, attrs);
      return batchNormGrad(tf, dy, saved, (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon);
    },
  };
}

/**
 * Mean's gradient is dy / n broadcast back to x's shape; the stock one builds a full-size ones
 * tensor, multiplies and then divides at full size. Here dy / n is computed at the reduced size
 * and broadcast by one Tile (a block copy on wasm, see tile.ts).
 */
export function meanGradConfig(tf: Tf, stock: GradConfig): GradConfig {
  return {
    ...stock,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      if (tf.getBackend() !== 'wasm' || Array.isArray(dy)) return stock.gradFunc(dy, saved, attrs);
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const n = axes.reduce((p, a) => p * x.shape[a], 1);
      return { x: () => tf.broadcastTo(tf.reshape(tf.div(dy, n), expanded), x.shape) };
    },
  };
}
