// Conv2DBackpropFilter for the wasm backend, which lacks it: without it conv nets cannot train.
import type { Conv2DBackpropFilterAttrs, KernelConfig, Tensor, Tensor4D, TensorInfo, backend_util } from '@tensorflow/tfjs';
import type { Tf } from '../backend';

type Conv2DInfo = backend_util.Conv2DInfo;
type SpatialPads = [[number, number], [number, number]];
// Up to this many input channels the filter gradient is computed from written-out patches.
const IM2COL_MAX_CHANNELS = 4;

/**
 * dW[kh,kw,ci,co] = sum over n,i,j of xPadded[n, i*s+kh, j*s+kw, ci] * dy[n,i,j,co].
 * Read with the batch axis as the channel axis, that is a stride-1 forward convolution of
 * x as [Cin, H, W, N] with dy as a [Ho, Wo, N, Cout] filter dilated by the stride, and the
 * forward convolution is the one wasm kernel that is fast (XNNPACK). Inputs with few channels
 * take a patch matrix and a matMul instead (see filterByPatches).
 */
export function conv2dBackpropFilter(tf: Tf, x: Tensor4D, dy: Tensor4D, attrs: Conv2DBackpropFilterAttrs): Tensor4D {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports NHWC only, got ${dataFormat}`);
  // The attrs carry no dilations (tfjs asserts dilation 1 before asking for this gradient);
  // refuse any caller that passes them anyway rather than return a wrong gradient.
  const { dilations } = attrs as { dilations?: number | [number, number] };
  if (dilations !== undefined && [dilations].flat().some((d) => d !== 1)) {
    throw new Error(`wasm Conv2DBackpropFilter supports dilation 1 only, got ${dilations}`);
  }
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, padInfo } = info;
  const [, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  // The forward pass read padded rows [0, (ho-1)*sh + kh); pad x to exactly that span so the
  // result is exactly [Cin, kh, kw, Cout]. A negative amount means trailing rows it never read.
  const bottom = (ho - 1) * sh + kh - padInfo.top - h;
  const right = (wo - 1) * sw + kw - padInfo.left - w;
  const crop = (t: Tensor4D) => (bottom < 0 || right < 0 ? tf.slice(t, 0, [-1, h + Math.min(bottom, 0), w + Math.min(right, 0), -1]) : t);
  const pads: SpatialPads = [[padInfo.top, Math.max(bottom, 0)], [padInfo.left, Math.max(right, 0)]];
  if (x.shape[3] <= IM2COL_MAX_CHANNELS) return tf.tidy(() => filterByPatches(tf, crop(x), dy, pads, info));
  return tf.tidy(() => {
    const xt = tf.transpose(crop(x), [3, 1, 2, 0]);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]);
    const g = tf.conv2d(xt, dyt, 1, [[0, 0], ...pads, [0, 0]], 'NHWC', [sh, sw]);
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}

/**
 * With few input channels the convolution above has one channel per tap, where XNNPACK's
 * indirect convolution is slow (BrainCNN's first layer, 1 channel at 128x128, batch 32: ~330 ms).
 * There the patches are small enough to write out: P[(kh, kw, ci), (n, i, j)] = xPadded[n,
 * i*s+kh, j*s+kw, ci], and dW = P · dy[(n, i, j), co] is one plain matMul (~33 ms).
 */
function filterByPatches(tf: Tf, x: Tensor4D, dy: Tensor4D, [[top, bottom], [left, right]]: SpatialPads, info: Conv2DInfo): Tensor4D {
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const [n, ho, wo, cout] = dy.shape;
  const cin = x.shape[3];
  const xt = tf.pad(tf.transpose(x, [3, 0, 1, 2]), [[0, 0], [0, 0], [top, bottom], [left, right]]);
  const taps: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      taps.push(tf.stridedSlice(xt, [0, 0, i, j], [cin, n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1], [1, 1, sh, sw]));
    }
  }
  const patches = tf.reshape(tf.stack(taps), [kh * kw * cin, n * ho * wo]);
  return tf.reshape(tf.matMul(patches, tf.reshape(dy, [n * ho * wo, cout])), [kh, kw, cin, cout]);
}

export function conv2dBackpropFilterConfig(tf: Tf): KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs;
      // Ops hand kernels their Tensor inputs; returning a Tensor (it has a rank) makes the engine
      // adopt it as the output as is, so nothing is tracked twice and nothing leaks.
      if (!(x instanceof tf.Tensor && dy instanceof tf.Tensor)) throw new Error('Conv2DBackpropFilter expects Tensor inputs');
      const out: TensorInfo = conv2dBackpropFilter(tf, x as Tensor4D, dy as Tensor4D, attrs as unknown as Conv2DBackpropFilterAttrs);
      return out;
    },
  };
}
