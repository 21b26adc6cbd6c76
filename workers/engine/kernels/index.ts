// Registers the project's wasm kernels (the missing conv filter gradient; faster conv input
// gradient, transposed and wide matMuls, leading-axis Sum/Mean, MaxPoolGrad, the gradient of an
// integer nearest-neighbour upscale, leading-axis Tile, Reverse keeping the last axis, matrix
// Transpose; copy-free Identity and Cast), the wasm batch-norm gradients, and the cpu fixes.
import type { KernelConfig } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { batchNormGradConfig, meanGradConfig } from '../gradients/batch-norm';
import { batchMatMulConfig } from './batch-mat-mul';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { meanConfig, sumConfig } from './leading-reduce';
import { maxPoolGradConfig } from './max-pool-grad';
import { cpuResizeNearestGradConfig, resizeNearestGradConfig } from './resize-nearest-grad';
import { reverseConfig } from './reverse';
import { castConfig, identityConfig } from './shared-identity';
import { tileConfig } from './tile';
import { stridedSliceConfig } from './strided-slice';
import { transposeConfig } from './transpose';

const registered = new WeakSet<object>();
const cpuFixed = new WeakSet<object>();

/** The backend's own kernel, which a wrapper falls back on for the cases it does not speed up. */
function builtin(tf: Tf, kernelName: string, backendName = 'wasm'): KernelConfig {
  const config = tf.getKernel(kernelName, backendName);
  if (!config) throw new Error(`the ${backendName} backend has no ${kernelName} kernel to wrap`);
  return config;
}

/** Replaces the cpu kernels that give wrong results (the cpu backend is also the tests' reference). */
export function registerCpuFixes(tf: Tf): void {
  if (cpuFixed.has(tf)) return;
  const config = cpuResizeNearestGradConfig(tf, builtin(tf, tf.ResizeNearestNeighborGrad, 'cpu'));
  tf.unregisterKernel(config.kernelName, 'cpu');
  tf.registerKernel(config);
  cpuFixed.add(tf);
}

export function registerWasmKernels(tf: Tf): void {
  if (registered.has(tf)) return;
  const configs = [
    conv2dBackpropFilterConfig(tf),
    conv2dBackpropInputConfig(tf),
    batchMatMulConfig(tf, builtin(tf, tf.BatchMatMul)),
    sumConfig(tf, builtin(tf, tf.Sum)),
    meanConfig(tf, builtin(tf, tf.Mean)),
    maxPoolGradConfig(tf, builtin(tf, tf.MaxPoolGrad)),
    resizeNearestGradConfig(tf, builtin(tf, tf.ResizeNearestNeighborGrad)),
    tileConfig(tf, builtin(tf, tf.Tile)),
    reverseConfig(tf, builtin(tf, tf.Reverse)),
    identityConfig(tf, builtin(tf, tf.Identity)),
    castConfig(tf, builtin(tf, tf.Cast)),
    transposeConfig(tf, builtin(tf, tf.Transpose)),
    stridedSliceConfig(tf, builtin(tf, tf.StridedSlice)),
  ];
  for (const config of configs) {
    // Replace a kernel the backend already ships (registerKernel refuses duplicates).
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  // Gradients are registered per op, not per backend: these fall back on the stock ones off wasm.
  tf.registerGradient(batchNormGradConfig(tf, tf.getGradient(tf.FusedBatchNorm)));
  tf.registerGradient(meanGradConfig(tf, tf.getGradient(tf.Mean)));
  registered.add(tf);
}
