// BatchMatMul for the wasm backend: transposed products as an explicit transpose plus a plain matMul.
import type { BatchMatMulAttrs, KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../backend';

const size = (t: Tensor) => t.size;
const swapLast = (t: Tensor) => t.rank < 2 ? [] : [...Array(t.rank - 2).keys(), t.rank - 1, t.rank - 2];

/**
 * op(a)·op(b) either as transpose(a)·transpose(b) (transposing the flagged operands) or as
 * transpose(op(b)ᵀ·op(a)ᵀ), where op(b)ᵀ and op(a)ᵀ are the flagged operands as stored and only
 * the unflagged ones and the product are moved. Whichever moves fewer elements wins: for a dense
 * layer's input gradient dy·Wᵀ the first moves all of W (32768x1024 in BrainCNN), the second
 * only dy and the 32x32768 product. `swap` forces the second form (see packingDominates).
 */
export function transposedMatMul(tf: Tf, a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean, swap = false): Tensor {
  const m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
  const n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
  const batch = Math.max(a.size / (a.shape[a.rank - 1] * a.shape[a.rank - 2]), b.size / (b.shape[b.rank - 1] * b.shape[b.rank - 2]));
  const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0);
  const swapped = (transposeA ? 0 : size(a)) + (transposeB ? 0 : size(b)) + batch * m * n;
  return tf.tidy(() => {
    if (!swap && direct <= swapped) {
      const at = transposeA ? tf.transpose(a, swapLast(a)) : a;
      const bt = transposeB ? tf.transpose(b, swapLast(b)) : b;
      return tf.matMul(at, bt);
    }
    const aT = transposeA ? a : tf.transpose(a, swapLast(a));
    const bT = transposeB ? b : tf.transpose(b, swapLast(b));
    const productT = tf.matMul(bT, aT);
    return tf.transpose(productT, swapLast(productT));
  });
}

// Right operands the built-in kernel has already packed (it caches its operator by operand).
const packed = new WeakSet<object>();

/**
 * XNNPACK repacks the right operand of every product it has not seen before, which costs about
 * three times a transpose of it: for a dense layer's forward pass x[32, 32768] · W[32768, 1024]
 * with fresh weights (every training step) ~500 ms against ~120 ms once packed. Then
 * (Wᵀ · xᵀ)ᵀ, which moves W once and packs only xᵀ, is cheaper (~300 ms). Weights that come
 * back unchanged (inference over many batches) are left to the cache from their second use.
 */
function packingDominates(a: Tensor, b: Tensor): boolean {
  const outSize = (a.size / a.shape[a.rank - 1]) * b.shape[b.rank - 1];
  // Packing gathers NR-column panels row by row; it is the wide operands (a dense kernel's 1024
  // columns) whose panels cross many pages. A 32-column operand packs about as fast as it transposes.
  const wide = b.shape[b.rank - 1] >= 256;
  const big = wide && b.size >= 1 << 20 && b.size >= 2 * a.size + outSize;
  if (!big || packed.has(b.dataId)) return false;
  packed.add(b.dataId);
  return true;
}

/**
 * Wraps the built-in kernel, which is fast for plain products (XNNPACK) but loops in plain C++
 * when asked for a transposed operand. BrainCNN at 128x128, batch 32, per step on this shared
 * 2-core machine: the transposeA and transposeB products took 4.4 s and 1.1 s built-in, ~0.16 s
 * together here (transposes included).
 */
export function batchMatMulConfig(tf: Tf, builtin: KernelConfig): KernelConfig {
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
      const { a, b } = args.inputs;
      if (!(a instanceof tf.Tensor && b instanceof tf.Tensor)) throw new Error('BatchMatMul expects Tensor inputs');
      const plain = !transposeA && !transposeB;
      const swap = plain && packingDominates(a, b);
      if (plain && !swap) return builtin.kernelFunc(args);
      const out: TensorInfo = transposedMatMul(tf, a, b, transposeA, transposeB, swap);
      return out;
    },
  };
}
