// BrainCNN (paper section 5.2): three blocks of 3x3 stride-1 convolution (32, 64, 128 filters)
// + batch norm + ReLU + 2x2 max-pool, then dense 1024 / 512 / 128 with ReLU and dropout, and
// two logits. `width` scales every layer for the smaller presets. Builder only, no I/O.
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from './seeded-dropout';
import { syncBatchNormalization } from './sync-batch-norm';

export interface BrainCnnOptions {
  imageSize: number;
  width: number;
  dropout: number;
  seed: number;
}

export const CNN_CONV_FILTERS = [32, 64, 128];
export const CNN_DENSE_UNITS = [1024, 512, 128];

const scaled = (n: number, width: number) => Math.max(1, Math.round(n * width));

export function buildBrainCnn({ imageSize, width, dropout, seed }: BrainCnnOptions): tf.Sequential {
  const model = tf.sequential({ name: 'BrainCNN' });
  let layerSeed = seed * 101;
  // PyTorch's default initialisation (uniform, limit 1/sqrt(fan_in)), which the paper's code used.
  // He-normal starts with logits large enough that the first updates silence the ReLUs of the dense
  // head, and the network then sits at loss ln 2 for epochs.
  const init = () => tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: ++layerSeed });
  CNN_CONV_FILTERS.forEach((filters, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [imageSize, imageSize, 1] } : {}),
        filters: scaled(filters, width),
        kernelSize: 3,
        strides: 1,
        padding: 'same',
        kernelInitializer: init(),
      }),
    );
    // Momentum 0.9 is PyTorch's default (0.1 there); Keras' 0.99 leaves the inference statistics
    // far from the data for the first few hundred steps, and a short run then predicts one class.
    model.add(syncBatchNormalization({ momentum: 0.9 }));
    model.add(tf.layers.reLU());
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  model.add(tf.layers.flatten());
  for (const units of CNN_DENSE_UNITS) {
    model.add(tf.layers.dense({ units: scaled(units, width), activation: 'relu', kernelInitializer: init() }));
    model.add(new SeededDropout({ rate: dropout, seed: ++layerSeed }));
  }
  model.add(tf.layers.dense({ units: 2, kernelInitializer: init() }));
  return model;
}
