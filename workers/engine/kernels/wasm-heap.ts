// Shared pieces of the project's wasm kernels: direct access to the backend's heap (for kernels whose
// whole work is one pass over memory) and the wrapper of a one-input built-in kernel.
import type { DataType, KernelConfig, TensorInfo } from '@tensorflow/tfjs';

/** The two methods of tfjs-backend-wasm's BackendWasm that its own JS-side kernels use. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Allocates the output first and only then takes views of the heap: an allocation may grow the
 * wasm memory, which detaches every view taken before it.
 */
export function withHeap(backend: unknown, inputs: TensorInfo[], outShape: number[]): { out: TensorInfo; views: Float32Array[]; outView: Float32Array } {
  const wasm = backend as WasmHeapBackend;
  const out = wasm.makeOutput(outShape, 'float32');
  const views = inputs.map((t) => wasm.typedArrayFromHeap(t) as Float32Array);
  return { out, views, outView: wasm.typedArrayFromHeap(out) as Float32Array };
}

type KernelArgs = Parameters<KernelConfig['kernelFunc']>[0];

/**
 * A wasm kernel of one input `x` that speeds up some cases of a built-in one: `run` returns the
 * output, or null to hand the call to the built-in kernel unchanged.
 */
export function wrapUnaryKernel(kernelName: string, builtin: KernelConfig, run: (x: TensorInfo, args: KernelArgs) => TensorInfo | null): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs;
      if (!x) throw new Error(`${kernelName} expects an input x`);
      return run(x, args) ?? builtin.kernelFunc(args);
    },
  };
}
