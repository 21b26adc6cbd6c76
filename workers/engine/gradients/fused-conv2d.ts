// A gradient for the FusedConv2D kernel (linear activation) that computes only what the tape asks
// for. tf.fused.conv2d, which tfjs-layers' Conv2D calls, records a customGrad that always computes
// the input, filter and bias gradients: the discriminator's filter gradients during the GAN's
// generator step and its first layer's input gradient during its own step were thrown away.
import type { Conv2DBackpropFilterAttrs, GradConfig, NamedAttrMap, Tensor, Tensor1D, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '../backend';

interface FusedConv2DAttrs {
  strides: [number, number] | number;
  pad: Conv2DBackpropFilterAttrs['pad'];
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation: string;
}

export function fusedConv2dGradConfig(tf: Tf): GradConfig {
  return {
    kernelName: tf.FusedConv2D,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = attrs as unknown as FusedConv2DAttrs;
      // The convolutions that record this kernel (workers/models/lazy-grad-conv.ts) apply their
      // activation as a separate op, and so do not need y saved for its derivative.
      if (activation !== 'linear' || dataFormat !== 'NHWC' || [dilations].flat().some((d) => d !== 1)) {
        throw new Error(`FusedConv2D gradient supports linear activation, NHWC and dilation 1 only, got ${activation}, ${dataFormat}, ${dilations}`);
      }
      const [x, filter] = saved as Tensor4D[];
      const g = dy as Tensor4D;
      return {
        x: () => tf.conv2dTranspose(g, filter, x.shape, strides, pad, dimRoundingMode),
        filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: g }, { strides, pad, dataFormat, dimRoundingMode, filterShape: filter.shape } as unknown as NamedAttrMap) as Tensor4D,
        bias: () => tf.sum(g, [0, 1, 2]) as Tensor1D,
      };
    },
  };
}
