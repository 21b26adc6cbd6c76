// StridedSlice for the wasm backend, float32 inputs of rank up to 4 with positive strides: one
// pass over memory (a row copy where the last stride is 1). The built-in kernel spent about 20 %
// of a GAN training step at 64 px in the strided slices that the convolution-gradient kernels
// take (kernel phases and input phases for stride 2): 418 ms of 2.1 s per step.
import type { KernelConfig } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { withHeap, wrapUnaryKernel } from './wasm-heap';

export const stridedSliceConfig = (tf: Tf, builtin: KernelConfig): KernelConfig =>
  wrapUnaryKernel(tf.StridedSlice, builtin, (x, args) => {
    const a = args.attrs as unknown as {
      begin: number[]; end: number[]; strides: number[];
      beginMask: number; endMask: number; ellipsisMask: number; newAxisMask: number; shrinkAxisMask: number;
    };
    if (x.dtype !== 'float32' || x.shape.length > 4 || x.shape.length === 0) return null;
    const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
    // New axes or anything unusual: the sparse shape must line up with the input's axes.
    if (info.isIdentity || info.finalShapeSparse.length !== x.shape.length || info.strides.some((s) => s <= 0)) return null;
    const pad = 4 - x.shape.length;
    const inShape = [...Array(pad).fill(1), ...x.shape];
    const outShape = [...Array(pad).fill(1), ...info.finalShapeSparse];
    const begin = [...Array(pad).fill(0), ...info.begin];
    const step = [...Array(pad).fill(1), ...info.strides];
    const { out, views: [src], outView } = withHeap(args.backend, [x], info.finalShape);
    const inStride = [inShape[1] * inShape[2] * inShape[3], inShape[2] * inShape[3], inShape[3], 1];
    const [o0, o1, o2, o3] = outShape;
    let k = 0;
    for (let i0 = 0; i0 < o0; i0++) {
      const b0 = (begin[0] + i0 * step[0]) * inStride[0];
      for (let i1 = 0; i1 < o1; i1++) {
        const b1 = b0 + (begin[1] + i1 * step[1]) * inStride[1];
        for (let i2 = 0; i2 < o2; i2++) {
          const row = b1 + (begin[2] + i2 * step[2]) * inStride[2] + begin[3];
          if (step[3] === 1) {
            outView.set(src.subarray(row, row + o3), k);
            k += o3;
          } else {
            for (let i3 = 0; i3 < o3; i3++) outView[k++] = src[row + i3 * step[3]];
          }
        }
      }
    }
    return out;
  });
