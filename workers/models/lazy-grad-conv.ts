// A tfjs-layers Conv2D whose training-mode call records the FusedConv2D kernel itself, so that
// its gradient (engine/gradients/fused-conv2d.ts) computes only the input, filter or bias
// gradient the tape needs. Same class, weights and names as the stock layer.
import * as tf from '@tensorflow/tfjs';
import { fusedConv2dGradConfig } from '../engine/gradients/fused-conv2d';

type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];

/** The fields of tfjs-layers' Conv2D the call reads. */
interface ConvInternals {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: number[];
  padding: 'same' | 'valid';
  dataFormat: string;
  dilationRate: number[];
  activation: { apply: (t: tf.Tensor) => tf.Tensor };
}

export function lazyGradientConv2d(args: Conv2DArgs): tf.layers.Layer {
  // tfjs registers no gradient for the FusedConv2D kernel (its op uses customGrad instead).
  if (!tf.getGradient(tf.FusedConv2D)) tf.registerGradient(fusedConv2dGradConfig(tf));
  const layer = tf.layers.conv2d(args);
  const stock = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const c = layer as unknown as ConvInternals;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || !c.bias || c.dataFormat !== 'channelsLast' || x.rank !== 4) return stock(inputs, kwargs);
    return tf.tidy(() => {
      const attrs = { strides: c.strides, pad: c.padding, dataFormat: 'NHWC', dilations: c.dilationRate, activation: 'linear' };
      const y = tf.engine().runKernel(tf.FusedConv2D, { x, filter: c.kernel.read(), bias: c.bias!.read() }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      return c.activation.apply(y);
    });
  };
  return layer;
}
