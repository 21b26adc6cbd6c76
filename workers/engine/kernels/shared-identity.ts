// Identity, and Cast to the same dtype, for the wasm backend without copying the data.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../backend';

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

export function identityConfig(tf: Tf, builtin: KernelConfig): KernelConfig {
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs;
      if (!x) throw new Error('Identity expects an input x');
      return x.dtype === 'string' ? builtin.kernelFunc(args) : share(args.backend, x);
    },
  };
}

export function castConfig(tf: Tf, builtin: KernelConfig): KernelConfig {
  return {
    kernelName: tf.Cast,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs;
      if (!x) throw new Error('Cast expects an input x');
      const { dtype } = args.attrs as unknown as { dtype: string };
      return x.dtype === dtype && dtype !== 'string' ? share(args.backend, x) : builtin.kernelFunc(args);
    },
  };
}
