// Spectral normalisation (Miyato et al., 2018) for the discriminator of the small-data GAN: every
// convolution and dense kernel W is used as W / sigma(W), sigma its largest singular value, so
// the discriminator stays 1-Lipschitz per layer and cannot overpower the generator on a few
// hundred images. sigma comes from one power-iteration step per training call, from vectors u
// and v kept as non-trainable weights (so checkpoints, resume and data-parallel state carry
// them); like PyTorch's spectral_norm, u and v are constants to the gradient, and W receives
// the gradient of W / (u^T W v).
import * as tf from '@tensorflow/tfjs';
import { fusedConv2dGradConfig } from '../engine/gradients/fused-conv2d';

type Conv2DArgs = Parameters<typeof tf.layers.conv2d>[0];
type DenseArgs = Parameters<typeof tf.layers.dense>[0];

/** The fields of tfjs-layers' Conv2D and Dense the patched calls read. */
interface KernelLayerInternals {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: number[];
  padding: 'same' | 'valid';
  activation: { apply: (t: tf.Tensor) => tf.Tensor };
}

/** Exposed layer methods tfjs-layers marks protected. */
interface WeightAdder {
  addWeight(name: string, shape: number[], dtype: 'float32', initializer: tf.serialization.Serializable, regularizer: undefined, trainable: boolean): tf.LayerVariable;
}

const EPS = 1e-12;
const unit = (t: tf.Tensor1D): tf.Tensor1D => tf.div(t, tf.add(tf.norm(t), EPS));

/**
 * The kernel divided by its largest singular value, estimated from u and v. With `update`, one
 * power-iteration step first moves u and v towards the top singular vectors of the kernel (as
 * [fan-in, out] matrix) and stores them; the estimate then reads them back as plain variables,
 * which the gradient tape treats as constants.
 */
export function spectrallyNormalised(kernel: tf.Tensor, u: tf.LayerVariable, v: tf.LayerVariable, update: boolean): tf.Tensor {
  const out = kernel.shape[kernel.shape.length - 1];
  const w = tf.reshape(kernel, [-1, out]) as tf.Tensor2D;
  if (update) {
    const [nextV, nextU] = tf.tidy(() => {
      const vNew = unit(tf.squeeze(tf.matMul(w, tf.reshape(u.read(), [out, 1])), [1]) as tf.Tensor1D);
      const uNew = unit(tf.squeeze(tf.matMul(w, tf.reshape(vNew, [-1, 1]), true, false), [1]) as tf.Tensor1D);
      return [vNew, uNew];
    });
    v.write(nextV);
    u.write(nextU);
    tf.dispose([nextV, nextU]);
  }
  // sigma = v^T W u, with v and u read as constants.
  const sigma = tf.sum(tf.mul(tf.reshape(v.read(), [-1, 1]), tf.matMul(w, tf.reshape(u.read(), [out, 1]))));
  return tf.div(kernel, sigma);
}

function addPowerVectors(layer: tf.layers.Layer, seed: number): { u: () => tf.LayerVariable; v: () => tf.LayerVariable } {
  let u: tf.LayerVariable | null = null;
  let v: tf.LayerVariable | null = null;
  const stockBuild = layer.build.bind(layer);
  layer.build = (inputShape) => {
    stockBuild(inputShape);
    const shape = (layer as unknown as KernelLayerInternals).kernel.shape as number[];
    const out = shape[shape.length - 1];
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const adder = layer as unknown as WeightAdder;
    u = adder.addWeight('sn_u', [out], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 1, seed }), undefined, false);
    v = adder.addWeight('sn_v', [fanIn], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: seed + 1 }), undefined, false);
  };
  const need = (x: tf.LayerVariable | null) => {
    if (!x) throw new Error('spectral normalisation: the layer is not built');
    return x;
  };
  return { u: () => need(u), v: () => need(v) };
}

/** A Conv2D whose kernel is spectrally normalised; in training mode it records the FusedConv2D
 * kernel itself, as lazyGradientConv2d does, so its gradient computes only what the tape needs. */
export function spectralConv2d(args: Conv2DArgs & { seed: number }): tf.layers.Layer {
  if (!tf.getGradient(tf.FusedConv2D)) tf.registerGradient(fusedConv2dGradConfig(tf));
  const { seed, ...convArgs } = args;
  const layer = tf.layers.conv2d(convArgs);
  const power = addPowerVectors(layer, seed);
  layer.call = (inputs, kwargs) =>
    tf.tidy(() => {
      const c = layer as unknown as KernelLayerInternals;
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const filter = spectrallyNormalised(c.kernel.read(), power.u(), power.v(), Boolean(kwargs.training)) as tf.Tensor4D;
      const bias = c.bias?.read();
      const strides = c.strides as [number, number];
      const y = kwargs.training
        ? (tf.engine().runKernel(tf.FusedConv2D, { x, filter, ...(bias ? { bias } : {}) }, { strides, pad: c.padding, dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' } as unknown as tf.NamedAttrMap) as tf.Tensor)
        : tf.add(tf.conv2d(x, filter, strides, c.padding), bias ?? 0);
      return c.activation.apply(y);
    });
  return layer;
}

/** A Dense layer (rank-2 input) whose kernel is spectrally normalised. */
export function spectralDense(args: DenseArgs & { seed: number }): tf.layers.Layer {
  const { seed, ...denseArgs } = args;
  const layer = tf.layers.dense(denseArgs);
  const power = addPowerVectors(layer, seed);
  layer.call = (inputs, kwargs) =>
    tf.tidy(() => {
      const c = layer as unknown as KernelLayerInternals;
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const kernel = spectrallyNormalised(c.kernel.read(), power.u(), power.v(), Boolean(kwargs.training)) as tf.Tensor2D;
      const bias = c.bias?.read();
      return c.activation.apply(bias ? tf.add(tf.matMul(x, kernel), bias) : tf.matMul(x, kernel));
    });
  return layer;
}
