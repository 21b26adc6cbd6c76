// DCGAN-style GAN (paper section 5.1): G maps z (100) through a dense layer to an (8, 8, 128)
// map, then per doubling nearest upsampling + 3x3 conv + batch norm + ReLU, and a sigmoid 3x3
// conv to the image; D is 4 stride-2 4x4 convs with LeakyReLU(0.2) and one dense logit.
// Mirrors Gan in shared/bench/torch_reference.py. Builder only, no I/O.
import * as tf from '@tensorflow/tfjs';
import { lazyGradientConv2d } from './lazy-grad-conv';
import { syncBatchNormalization } from './sync-batch-norm';

export interface GanOptions {
  imageSize: number;
  width: number;
  seed: number;
}

export interface GanModels {
  /** z [batch, GAN_LATENT_DIM] -> image [batch, size, size, 1] in [0, 1] */
  generator: tf.LayersModel;
  /** image -> one logit per image; the probability of "real" is its sigmoid */
  discriminator: tf.LayersModel;
}

export const GAN_LATENT_DIM = 100;
export const GAN_BASE_FILTERS = 128;
export const GAN_MIN_FILTERS = 16;
export const GAN_DISCRIMINATOR_FILTERS = [32, 64, 128, 256];

const scaled = (n: number, width: number) => Math.max(1, Math.round(n * width));

/** Generator depths per doubling at width 1: halving from 128, never below 16. */
export function ganGeneratorFilters(imageSize: number): number[] {
  const ups = Math.log2(imageSize / 8);
  if (!Number.isInteger(ups) || ups < 1) throw new Error(`GAN image size must be a power of two of at least 16, got ${imageSize}`);
  const filters: number[] = [];
  let c = GAN_BASE_FILTERS;
  for (let i = 0; i < ups; i++) filters.push((c = Math.max(GAN_MIN_FILTERS, Math.floor(c / 2))));
  return filters;
}

export function buildGan({ imageSize, width, seed }: GanOptions): GanModels {
  let layerSeed = seed * 307;
  // DCGAN initialisation (Radford et al.): weights N(0, 0.02), batch-norm scales N(1, 0.02).
  const init = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: ++layerSeed });
  const gammaInit = () => tf.initializers.randomNormal({ mean: 1, stddev: 0.02, seed: ++layerSeed });

  const base = scaled(GAN_BASE_FILTERS, width);
  const generator = tf.sequential({ name: 'GanGenerator' });
  generator.add(tf.layers.dense({ inputShape: [GAN_LATENT_DIM], units: 8 * 8 * base, kernelInitializer: init() }));
  generator.add(tf.layers.reshape({ targetShape: [8, 8, base] }));
  for (const filters of ganGeneratorFilters(imageSize)) {
    // Upsample + conv rather than a transposed conv, as the reference does (no checkerboard).
    generator.add(tf.layers.upSampling2d({ size: [2, 2] }));
    generator.add(lazyGradientConv2d({ filters: scaled(filters, width), kernelSize: 3, padding: 'same', kernelInitializer: init() }));
    generator.add(syncBatchNormalization({ momentum: 0.9, gammaInitializer: gammaInit() }));
    generator.add(tf.layers.reLU());
  }
  generator.add(lazyGradientConv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: init() }));

  const discriminator = tf.sequential({ name: 'GanDiscriminator' });
  GAN_DISCRIMINATOR_FILTERS.forEach((filters, i) => {
    discriminator.add(
      lazyGradientConv2d({
        ...(i === 0 ? { inputShape: [imageSize, imageSize, 1] } : {}),
        filters: scaled(filters, width),
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        kernelInitializer: init(),
      }),
    );
    discriminator.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  });
  discriminator.add(tf.layers.flatten());
  // A logit, not a probability: the losses use the stable sigmoid cross-entropy on logits.
  discriminator.add(tf.layers.dense({ units: 1, kernelInitializer: init() }));
  return { generator, discriminator };
}
