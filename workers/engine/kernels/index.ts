// Registers the project's wasm kernels: the missing conv filter gradient and a faster input gradient.
import type { Tf } from '../backend';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';

const registered = new WeakSet<object>();

export function registerWasmKernels(tf: Tf): void {
  if (registered.has(tf)) return;
  for (const config of [conv2dBackpropFilterConfig(tf), conv2dBackpropInputConfig(tf)]) {
    // Replace a kernel the backend already ships (registerKernel refuses duplicates).
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registered.add(tf);
}
