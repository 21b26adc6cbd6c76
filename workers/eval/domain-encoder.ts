// The fixed domain encoder behind FID, KID and precision/recall: a BrainCNN trained on the real
// dataset's training split (seed 0, width 1/4, 4 epochs, at most 1,200 images). The features are
// the spatial means of its three convolution blocks' activations (after batch norm and ReLU):
// 8 + 16 + 32 = 56 values from edges to parts, like Inception's pooled features. Its penultimate
// dense layer was tried first and rejected: trained to tell tumour from healthy, it maps noise
// and flat blobs near real images (k-NN precision 0.96 for a collapsed GAN whose samples are
// flat grey shapes), where the pooled convolution features put them far away (precision 0.03). ImageNet
// Inception features are neither available offline nor meaningful for grey MRI slices; an encoder
// trained on the domain is the usual substitute. It is trained once per (real dataset, image
// size), cached under DATA_DIR/encoders, and recorded in every report, so figures computed
// against the same real dataset and size are comparable.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildBrainCnn } from '../models/cnn';
import { loadCheckpoint, saveCheckpoint } from '../models/checkpoint';
import { trainBrainCnn, evaluateCnn, accuracyAt } from '../train/cnn-trainer';
import { capIndices, splitToTensors } from '../data/tensors';
import type { DatasetFiles } from '../data/dataset-store';
import type { CnnConfig } from '../../lib/contracts/run-config';
import type { MetricPoint } from '../../lib/contracts/events';
import type { EncoderInfo } from '../../lib/contracts/quality';
import { ENCODER_METRIC } from '../../lib/contracts/metrics';

export interface DomainEncoder {
  info: EncoderInfo;
  /** Features of uint8 images at the encoder's size, one Float64Array per image. */
  features: (images: Uint8Array[]) => Promise<Float64Array[]>;
  /** The features and, from the same forward pass, the class the BrainCNN assigns to each image
   * (1 tumour, 0 healthy). */
  encode: (images: Uint8Array[]) => Promise<{ features: Float64Array[]; predicted: number[] }>;
  dispose: () => void;
}

export interface EncoderHooks {
  log: (message: string) => void;
  onPoints?: (points: MetricPoint[]) => void;
  onProgress?: (epoch: number, step: number, totalSteps: number) => void;
  shouldStop: () => boolean;
}

const ENCODER = { width: 0.25, epochs: 4, seed: 0, dropout: 0.2, batchSize: 32, learningRate: 1e-3, trainCap: 1200, valCap: 400 };

function encoderConfig(datasetId: string, imageSize: 32 | 64 | 128): CnnConfig {
  return {
    model: 'cnn', preset: 'quick', seed: ENCODER.seed, datasetId, trainData: 'real', imageSize,
    width: ENCODER.width, epochs: ENCODER.epochs, batchSize: ENCODER.batchSize, learningRate: ENCODER.learningRate,
    dropout: ENCODER.dropout, limits: { train: ENCODER.trainCap, val: ENCODER.valCap }, mixRatio: 0,
  };
}

/** The ReLU output of each convolution block (before its max-pool), then the class probabilities. */
function featureModel(cnn: tf.Sequential): tf.LayersModel {
  const blocks = cnn.layers.filter((l) => l.getClassName() === 'ReLU');
  return tf.model({ inputs: cnn.inputs, outputs: [...blocks.map((l) => l.output as tf.SymbolicTensor), cnn.outputs[0]] });
}

const featureDim = (width: number) => [32, 64, 128].reduce((s, f) => s + Math.max(1, Math.round(f * width)), 0);

export async function loadOrTrainEncoder(
  encodersDir: string,
  dataset: { id: string; splits: { train: number[]; val: number[] } },
  files: DatasetFiles,
  imageSize: 32 | 64 | 128,
  hooks: EncoderHooks,
): Promise<DomainEncoder> {
  const key = `${dataset.id}-${imageSize}`;
  const dir = path.join(encodersDir, key);
  const config = encoderConfig(dataset.id, imageSize);
  const cnn = buildBrainCnn({ imageSize, width: config.width, dropout: config.dropout, seed: config.seed });
  let info: EncoderInfo;
  if (fs.existsSync(path.join(dir, 'meta.json'))) {
    info = { ...(loadCheckpoint(dir, { cnn }).info as EncoderInfo), kind: 'braincnn-pooled-conv', featureDim: featureDim(config.width) };
    hooks.log(`domain encoder: cached BrainCNN ${key} (validation accuracy ${(info.valAccuracy * 100).toFixed(1)}%)`);
  } else {
    hooks.log(`domain encoder: training a BrainCNN on ${dataset.id}'s training split at ${imageSize} px (once per dataset and size)`);
    const train = splitToTensors(files, capIndices(dataset.splits.train, config.limits.train, 11), imageSize);
    const val = splitToTensors(files, capIndices(dataset.splits.val, config.limits.val, 12), imageSize);
    try {
      cnn.dispose();
      const trained = await trainBrainCnn(config, train, val, {
        onPoints: (points) => hooks.onPoints?.(points.map((p) => ({ ...p, name: ENCODER_METRIC[p.name] ?? p.name }))),
        onProgress: hooks.onProgress ?? (() => undefined),
        onLog: (m) => hooks.log(`domain encoder: ${m}`),
        shouldStop: hooks.shouldStop,
      });
      const { probabilities } = await evaluateCnn(trained.model, val, config.batchSize);
      info = {
        kind: 'braincnn-pooled-conv', datasetId: dataset.id, imageSize, width: config.width, epochs: config.epochs, seed: config.seed,
        trainImages: train.labels.length, featureDim: featureDim(config.width),
        valAccuracy: accuracyAt(probabilities, val.labels), trainedAt: Date.now(), key,
      };
      await saveCheckpoint(dir, { cnn: trained.model }, { info });
      return wrap(trained.model as tf.Sequential, info);
    } finally {
      tf.dispose([train.xs, train.ys, val.xs, val.ys]);
    }
  }
  return wrap(cnn, info);
}

function wrap(cnn: tf.Sequential, info: EncoderInfo): DomainEncoder {
  const head = featureModel(cnn);
  const size = info.imageSize;
  const encode = async (images: Uint8Array[]) => {
    const features: Float64Array[] = [];
    const predicted: number[] = [];
    for (let start = 0; start < images.length; start += 64) {
      const chunk = images.slice(start, start + 64);
      const pixels = new Float32Array(chunk.length * size * size);
      chunk.forEach((img, i) => {
        if (img.length !== size * size) throw new Error(`encoder expects ${size}x${size} images`);
        for (let p = 0; p < img.length; p++) pixels[i * size * size + p] = img[p] / 255;
      });
      const [feats, classes] = tf.tidy(() => {
        const outputs = head.predict(tf.tensor4d(pixels, [chunk.length, size, size, 1])) as tf.Tensor[];
        const probabilities = outputs.pop() as tf.Tensor2D;
        // The BrainCNN's softmax is over [healthy, tumour], so the arg max is the label.
        return [tf.concat(outputs.map((m) => tf.mean(m, [1, 2])), 1) as tf.Tensor2D, tf.argMax(probabilities, 1)];
      });
      const [data, labels] = await Promise.all([feats.data(), classes.data()]);
      const dim = feats.shape[1];
      tf.dispose([feats, classes]);
      for (let i = 0; i < chunk.length; i++) {
        features.push(Float64Array.from(data.subarray(i * dim, (i + 1) * dim)));
        predicted.push(labels[i]);
      }
    }
    return { features, predicted };
  };
  return {
    info,
    features: async (images) => (await encode(images)).features,
    encode,
    dispose: () => cnn.dispose(),
  };
}
