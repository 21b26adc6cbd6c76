// Identity, and Cast to the same dtype, for the wasm backend without copying the data.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { wrapUnaryKernel } from './wasm-heap';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * The output shares the input's data, as Reshape does on wasm and Identity does on cpu: tensors
 * are immutable, so no one can tell, and a BrainCNN step at 128x128 made ~13 full-size copies
 * (tf.moments casts float32 to float32, the tape clones) worth ~0.2 s.
 */
function share(backend: unknown, x: TensorInfo): TensorInfo {
  (backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig = (tf: Tf, builtin: KernelConfig): KernelConfig =>
  wrapUnaryKernel(tf.Identity, builtin, (x, args) => (x.dtype === 'string' ? null : share(args.backend, x)));

export const castConfig = (tf: Tf, builtin: KernelConfig): KernelConfig =>
  wrapUnaryKernel(tf.Cast, builtin, (x, args) => {
    const { dtype } = args.attrs as unknown as { dtype: string };
    return x.dtype === dtype && dtype !== 'string' ? share(args.backend, x) : null;
  });
