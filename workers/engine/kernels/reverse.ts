// Reverse for the wasm backend when the last axis is kept (flipping a convolution kernel
// spatially): one row copy per output row, from the mirrored row.
import type { KernelConfig } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { withHeap, wrapUnaryKernel } from './wasm-heap';

/**
 * The built-in kernel computes every element's source index: flipping a 4x4x128x256 kernel
 * took 42 ms (3 % of a GAN training step at 64 px, whose input gradients flip each kernel).
 */
export const reverseConfig = (tf: Tf, builtin: KernelConfig): KernelConfig =>
  wrapUnaryKernel(tf.Reverse, builtin, (x, args) => {
    const { dims } = args.attrs as unknown as { dims: number | number[] };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(dims, x.shape);
    if (x.dtype !== 'float32' || rank < 2 || axes.includes(rank - 1)) return null;
    const row = x.shape[rank - 1];
    const outer = x.shape.slice(0, -1);
    const strides = tf.util.computeStrides(outer);
    const flipped = outer.map((_, i) => axes.includes(i));
    const { out, views: [src], outView } = withHeap(args.backend, [x], x.shape);
    const rows = outer.reduce((a, b) => a * b, 1);
    for (let r = 0; r < rows; r++) {
      let from = 0;
      let rest = r;
      for (let i = 0; i < outer.length; i++) {
        const stride = strides[i] ?? 1;
        const k = Math.floor(rest / stride);
        rest -= k * stride;
        from += (flipped[i] ? outer[i] - 1 - k : k) * stride;
      }
      outView.set(src.subarray(from * row, (from + 1) * row), r * row);
    }
    return out;
  });
