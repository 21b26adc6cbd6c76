// Direct access to the wasm backend's heap, for kernels whose whole work is one pass over memory.
import type { DataType, TensorInfo } from '@tensorflow/tfjs';

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
