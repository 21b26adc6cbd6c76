// Gradients of ReLU and LeakyReLU for the wasm backend in one pass over memory: the stock ones take
// Greater, Multiply and Select (LeakyReLU) or Step, Cast and Multiply (ReLU), each a full-size pass
// with its own output (Greater and Select were 3 % of a GAN training step at 64 px).
import type { GradConfig, KernelConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { withHeap } from '../kernels/wasm-heap';

/** The kernel the gradients below run on wasm: dx = dy where x > 0, dy * alpha elsewhere. */
export const LEAKY_RELU_GRAD = 'LeakyReluGradWasm';

export const leakyReluGradKernelConfig = (): KernelConfig => ({
  kernelName: LEAKY_RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, x } = inputs;
    if (!dy || !x || dy.dtype !== 'float32' || x.dtype !== 'float32') throw new Error(`${LEAKY_RELU_GRAD} expects float32 inputs dy and x`);
    const alpha = (attrs as unknown as { alpha: number }).alpha;
    const { out, views: [g, xv], outView: dx } = withHeap(backend, [dy, x], x.shape);
    for (let i = 0; i < dx.length; i++) dx[i] = xv[i] > 0 ? g[i] : g[i] * alpha;
    return out;
  },
});

/** The stock gradient off wasm (and for other dtypes), the one-pass kernel on it. */
function onePass(tf: Tf, stock: GradConfig, alphaOf: (attrs: NamedAttrMap) => number): GradConfig {
  return {
    ...stock,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x] = saved;
      if (tf.getBackend() !== 'wasm' || Array.isArray(dy) || x.dtype !== 'float32') return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha: alphaOf(attrs) }) as Tensor };
    },
  };
}

export const leakyReluGradConfig = (tf: Tf, stock: GradConfig) => onePass(tf, stock, (attrs) => (attrs as unknown as { alpha: number }).alpha);
export const reluGradConfig = (tf: Tf, stock: GradConfig) => onePass(tf, stock, () => 0);
