// BrainCVAE (paper section 5.2), the anomaly-detection VAE trained on healthy images only:
// encoder of two stride-2 3x3 convolutions + ReLU, flatten, two dense heads (mean, log-variance);
// decoder of a dense layer reshaped to (S/4, S/4, C) and two stride-2 transposed convolutions
// "with progressively larger kernel sizes" (3 then 4) back to a sigmoid S x S x 1 image.
// Builder only, no I/O.
import * as tf from '@tensorflow/tfjs';

export interface CvaeOptions {
  imageSize: number;
  /** Scales every filter count; 1 gives the 32 and 64 filters of the paper. */
  width: number;
  latentDim: number;
  seed: number;
}

export interface CvaeModels {
  /** image -> [mean, logVar] */
  encoder: tf.LayersModel;
  /** z -> image in [0, 1] */
  decoder: tf.LayersModel;
}

/** Encoder filters at width 1; the decoder mirrors them. */
export const CVAE_FILTERS = [32, 64];
/** Kernel sizes of the decoder's two transposed convolutions, growing as section 5.2 says. */
export const CVAE_DECODER_KERNELS = [3, 4];
/** The paper's 128x128 images; it gives no latent size for the CVAE, we use 128. */
export const CVAE_PAPER_PRESET = { imageSize: 128, width: 1, latentDim: 128 } as const;

const scaled = (n: number, width: number) => Math.max(1, Math.round(n * width));

export function buildCvae({ imageSize, width, latentDim, seed }: CvaeOptions): CvaeModels {
  if (!Number.isInteger(imageSize) || imageSize < 4 || imageSize % 4 !== 0) {
    throw new Error(`CVAE image size must be a multiple of 4 (two stride-2 layers), got ${imageSize}`);
  }
  const [f1, f2] = CVAE_FILTERS.map((f) => scaled(f, width));
  const inner = imageSize / 4;
  let layerSeed = seed * 307;
  const he = () => tf.initializers.heNormal({ seed: ++layerSeed });
  const glorot = () => tf.initializers.glorotUniform({ seed: ++layerSeed });

  const image = tf.input({ shape: [imageSize, imageSize, 1], name: 'cvae_image' });
  let h = tf.layers.conv2d({ filters: f1, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he() }).apply(image) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: f2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he() }).apply(h) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const mean = tf.layers.dense({ units: latentDim, kernelInitializer: glorot(), name: 'cvae_mean' }).apply(flat) as tf.SymbolicTensor;
  const logVar = tf.layers.dense({ units: latentDim, kernelInitializer: glorot(), name: 'cvae_logvar' }).apply(flat) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: image, outputs: [mean, logVar], name: 'CvaeEncoder' });

  const decoder = tf.sequential({ name: 'CvaeDecoder' });
  // ReLU after the dense layer: otherwise dense + first transposed conv collapse to one linear map.
  decoder.add(tf.layers.dense({ inputShape: [latentDim], units: inner * inner * f2, activation: 'relu', kernelInitializer: he() }));
  decoder.add(tf.layers.reshape({ targetShape: [inner, inner, f2] }));
  decoder.add(tf.layers.conv2dTranspose({ filters: f1, kernelSize: CVAE_DECODER_KERNELS[0], strides: 2, padding: 'same', activation: 'relu', kernelInitializer: he() }));
  decoder.add(tf.layers.conv2dTranspose({ filters: 1, kernelSize: CVAE_DECODER_KERNELS[1], strides: 2, padding: 'same', activation: 'sigmoid', kernelInitializer: glorot() }));
  return { encoder, decoder };
}
