// ResizeNearestNeighborGrad when the resize was an integer upscale (the GAN generator's
// UpSampling2D): a block sum in one pass over dy. On wasm it is faster than the built-in kernel;
// on cpu it is correct where the built-in one is not (below).
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { withHeap } from './wasm-heap';

/**
 * Upscaling by whole factors fh, fw maps output pixel (r, c) to input pixel (floor(r / fh),
 * floor(c / fw)) with or without half-pixel centres (corners unaligned), so the gradient of input
 * pixel (i, j) is the sum of dy over its fh x fw block. dx must start zeroed.
 */
function blockSum(g: Float32Array, dx: Float32Array, [n, h, w, c]: number[], dyW: number, fh: number, fw: number): void {
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      const outRow = (b * h + i) * w * c;
      for (let u = 0; u < fh; u++) {
        const inRow = ((b * h + i) * fh + u) * dyW * c;
        for (let j = 0; j < w; j++) {
          const o = outRow + j * c;
          for (let v = 0; v < fw; v++) {
            const s = inRow + (j * fw + v) * c;
            for (let d = 0; d < c; d++) dx[o + d] += g[s + d];
          }
        }
      }
    }
  }
}

/** The whole upscale factors of a call this kernel handles, or null for the built-in kernel. */
function factors({ inputs, attrs }: Parameters<KernelFunc>[0]): [TensorInfo, TensorInfo, number, number] | null {
  const { images, dy } = inputs;
  if (!images || !dy) throw new Error('ResizeNearestNeighborGrad expects inputs images and dy');
  const { alignCorners } = attrs as unknown as { alignCorners: boolean };
  const [, h, w] = images.shape;
  const [, dh, dw] = dy.shape;
  const whole = images.shape.length === 4 && dh % h === 0 && dw % w === 0 && dh >= h && dw >= w;
  return alignCorners || !whole || dy.dtype !== 'float32' ? null : [images, dy, dh / h, dw / w];
}

/** The built-in wasm kernel took 4 % of a GAN training step at 64 px (250 ms of 6.1 s, loaded machine). */
export const resizeNearestGradConfig = (tf: Tf, builtin: KernelConfig): KernelConfig => ({
  kernelName: tf.ResizeNearestNeighborGrad,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const found = factors(args);
    if (!found) return builtin.kernelFunc(args);
    const [images, dy, fh, fw] = found;
    const { out, views: [g], outView: dx } = withHeap(args.backend, [dy], images.shape);
    dx.fill(0);
    blockSum(g, dx, images.shape, dy.shape[2], fh, fw);
    return out;
  },
});

interface CpuBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/**
 * tfjs-backend-cpu 4.22's kernel offsets dy by the batch stride of the images, not of dy, so
 * every image after the first got another image's gradient: a GAN trained on cpu went wrong, and
 * cpu could not serve as the reference for the wasm kernel above.
 */
export const cpuResizeNearestGradConfig = (tf: Tf, builtin: KernelConfig): KernelConfig => ({
  kernelName: tf.ResizeNearestNeighborGrad,
  backendName: 'cpu',
  kernelFunc: (args) => {
    const found = factors(args);
    if (!found) return builtin.kernelFunc(args);
    const [images, dy, fh, fw] = found;
    const cpu = args.backend as CpuBackend;
    const dx = new Float32Array(images.shape.reduce((a, b) => a * b, 1));
    blockSum(cpu.readSync(dy.dataId) as Float32Array, dx, images.shape, dy.shape[2], fh, fw);
    return cpu.makeTensorInfo(images.shape, 'float32', dx);
  },
});
