// Tile for the wasm backend when only leading axes of size 1 are repeated (broadcasting a
// per-channel vector back over a batch, as batch-norm and mean gradients do).
import type { KernelConfig } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { withHeap, wrapUnaryKernel } from './wasm-heap';

/**
 * Tile of [1, ..., 1, rest] by [r..., 1, ..., 1]: the input repeated whole, block after block
 * (a memcpy each). The built-in kernel computes every output index (1.2 s for one
 * [1,1,1,32] → [32,128,128,32] tile in the stock batch-norm gradient).
 */
export const tileConfig = (tf: Tf, builtin: KernelConfig): KernelConfig =>
  wrapUnaryKernel(tf.Tile, builtin, (x, args) => {
    const { reps } = args.attrs as unknown as { reps: number[] };
    const k = x.shape.findIndex((d) => d !== 1);
    const leadingOnly = k >= 0 && reps.every((r, i) => i < k || r === 1);
    if (x.dtype !== 'float32' || !leadingOnly) return null;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const { out, views: [src], outView } = withHeap(args.backend, [x], outShape);
    for (let o = 0; o < outView.length; o += src.length) outView.set(src, o);
    return out;
  });
