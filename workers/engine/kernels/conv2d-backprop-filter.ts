// Conv2DBackpropFilter for the wasm backend, which lacks it: without it conv nets cannot train.
import type { Conv2DBackpropFilterAttrs, KernelConfig, Tensor4D, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../backend';

/**
 * dW[kh,kw,ci,co] = sum over n,i,j of xPadded[n, i*s+kh, j*s+kw, ci] * dy[n,i,j,co].
 * Read with the batch axis as the channel axis, that is a stride-1 forward convolution of
 * x as [Cin, H, W, N] with dy as a [Ho, Wo, N, Cout] filter dilated by the stride, and the
 * forward convolution is the one wasm kernel that is fast (XNNPACK).
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
  return tf.tidy(() => {
    const used = bottom < 0 || right < 0 ? tf.slice(x, 0, [-1, h + Math.min(bottom, 0), w + Math.min(right, 0), -1]) : x;
    const xt = tf.transpose(used, [3, 1, 2, 0]);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]);
    const pads: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [padInfo.top, Math.max(bottom, 0)],
      [padInfo.left, Math.max(right, 0)],
      [0, 0],
    ];
    const g = tf.conv2d(xt, dyt, 1, pads, 'NHWC', [sh, sw]);
    return tf.transpose(g, [1, 2, 0, 3]);
  });
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
