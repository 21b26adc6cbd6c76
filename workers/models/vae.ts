// Generative VAE (paper section 5.1): an encoder of stride-2 3x3 convolutions with batch norm +
// LeakyReLU(0.2) down to a 2x2 map, two dense heads (mean, log-variance), and a decoder from a
// dense (2, 2, 1024) map up through 4x4 stride-2 transposed convolutions to a sigmoid image.
// Mirrors GenVAE in shared/bench/torch_reference.py. Builder only, no I/O.
import * as tf from '@tensorflow/tfjs';
import { syncBatchNormalization } from './sync-batch-norm';

export interface VaeOptions {
  imageSize: number;
  width: number;
  latentDim: number;
  seed: number;
}

export interface VaeModels {
  /** image -> [mean, logVar] */
  encoder: tf.LayersModel;
  /** z -> image in [0, 1] */
  decoder: tf.LayersModel;
}

/** Encoder depths at width 1; the paper's 6 layers at 128, the last n of them at smaller sizes. */
export const VAE_ENCODER_FILTERS = [32, 64, 128, 256, 512, 1024];
/** Channels of the decoder's last transposed convolution (before the 3x3 output convolution). */
export const VAE_DECODER_LAST_FILTERS = 16;

const scaled = (n: number, width: number) => Math.max(1, Math.round(n * width));

/** Stride-2 convolutions needed to shrink `imageSize` to 2x2: log2(size / 2), 6 at 128. */
export function vaeDepth(imageSize: number): number {
  const n = Math.log2(imageSize / 2);
  if (!Number.isInteger(n) || n < 1 || n > VAE_ENCODER_FILTERS.length) {
    throw new Error(`VAE image size must be a power of two from 4 to ${2 ** (VAE_ENCODER_FILTERS.length + 1)}, got ${imageSize}`);
  }
  return n;
}

export function buildVae({ imageSize, width, latentDim, seed }: VaeOptions): VaeModels {
  const depth = vaeDepth(imageSize);
  const encFilters = VAE_ENCODER_FILTERS.slice(-depth).map((f) => scaled(f, width));
  const top = encFilters[encFilters.length - 1];
  let layerSeed = seed * 211;
  const he = () => tf.initializers.heNormal({ seed: ++layerSeed });
  const glorot = () => tf.initializers.glorotUniform({ seed: ++layerSeed });

  const image = tf.input({ shape: [imageSize, imageSize, 1], name: 'vae_image' });
  let h: tf.SymbolicTensor = image;
  for (const filters of encFilters) {
    h = tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: he() }).apply(h) as tf.SymbolicTensor;
    // Momentum 0.9 is PyTorch's default; Keras' 0.99 leaves the inference statistics stale for long.
    h = syncBatchNormalization({ momentum: 0.9 }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.leakyReLU({ alpha: 0.2 }).apply(h) as tf.SymbolicTensor;
  }
  const flat = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  // Two separate heads (section 5.1): the log-variance is unconstrained, exp() is taken in the loss.
  const mean = tf.layers.dense({ units: latentDim, kernelInitializer: glorot(), name: 'vae_mean' }).apply(flat) as tf.SymbolicTensor;
  const logVar = tf.layers.dense({ units: latentDim, kernelInitializer: glorot(), name: 'vae_logvar' }).apply(flat) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: image, outputs: [mean, logVar], name: 'VaeEncoder' });

  const decoder = tf.sequential({ name: 'VaeDecoder' });
  decoder.add(tf.layers.dense({ inputShape: [latentDim], units: 2 * 2 * top, kernelInitializer: glorot() }));
  decoder.add(tf.layers.reshape({ targetShape: [2, 2, top] }));
  // Same depths as the encoder in reverse, one doubling each, ending at 16 channels at full size.
  const decFilters = [...encFilters.slice(0, -1).reverse(), scaled(VAE_DECODER_LAST_FILTERS, width)];
  for (const filters of decFilters) {
    decoder.add(tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: he() }));
    decoder.add(syncBatchNormalization({ momentum: 0.9 }));
    decoder.add(tf.layers.reLU());
  }
  decoder.add(tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: glorot() }));
  return { encoder, decoder };
}
