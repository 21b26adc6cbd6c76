// The models that data-parallel training can replicate across threads. Each thread builds its own
// copy from the same spec (a plain object, so it crosses postMessage) and computes the loss of its
// share of a batch; the weights and the optimiser state stay identical on every thread.
import * as tf from '@tensorflow/tfjs';
import { buildBrainCnn } from '../models/cnn';
import { buildVae } from '../models/vae';
import { buildCvae } from '../models/cvae';
import { SeededDropout } from '../models/seeded-dropout';
import { elboLoss, noiseSeedOf } from '../train/vae-trainer';

export interface CnnReplicaSpec {
  kind: 'cnn';
  imageSize: number;
  width: number;
  dropout: number;
  seed: number;
  learningRate: number;
}

/** The generator VAE and the BrainCVAE: the same ELBO step (beta 1) over different builders. */
export interface ElboReplicaSpec {
  kind: 'vae' | 'cvae';
  imageSize: number;
  width: number;
  latentDim: number;
  seed: number;
  learningRate: number;
}
export type ReplicaSpec = CnnReplicaSpec | ElboReplicaSpec;

/** Rows [offset, offset + n) of a batch of `total` images. */
export interface Shard {
  offset: number;
  total: number;
}

export interface ShardLoss {
  /** The mean loss over this shard's images. */
  loss: tf.Scalar;
  /** Other per-image means, averaged over the batch like the loss (BrainCNN: accuracy). */
  means: tf.Scalar[];
}

export interface Replica {
  /** The models, by role (cnn: model; vae, cvae: encoder, decoder); the main thread's are the
   * ones a trainer evaluates and saves. */
  models: Record<string, tf.LayersModel>;
  optimizer: tf.Optimizer;
  /** Trainable variables, in a fixed order shared by every thread. */
  trainable: tf.Variable[];
  /** Variables updated by the forward pass in training mode (batch-norm moving statistics). */
  state: tf.Variable[];
  /** Names of the `means` of ShardLoss. */
  meanNames: string[];
  /** Builds the loss of one shard; called inside the optimiser's gradient tape, once per step. */
  loss(xs: tf.Tensor, ys: tf.Tensor | null, shard: Shard): ShardLoss;
  /** Keeps per-step state (dropout and noise streams) in step when this replica has no rows of a batch. */
  sitOut(): void;
  dispose(): void;
}

function variablesOf(models: tf.LayersModel[]) {
  return {
    trainable: models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable)),
    state: models.flatMap((m) => m.nonTrainableWeights.map((w) => w.read() as tf.Variable)),
  };
}

export function buildReplica(spec: ReplicaSpec): Replica {
  const optimizer = tf.train.adam(spec.learningRate);
  if (spec.kind === 'cnn') {
    const model = buildBrainCnn({ imageSize: spec.imageSize, width: spec.width, dropout: spec.dropout, seed: spec.seed });
    const dropouts = model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
    return {
      models: { model },
      optimizer,
      ...variablesOf([model]),
      meanNames: ['accuracy'],
      loss: (xs, ys, shard) => {
        if (!ys) throw new Error('BrainCNN training needs labels');
        for (const d of dropouts) d.setShard(shard);
        const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
        const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(ys, 1)), 'float32')) as tf.Scalar;
        return { loss: tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar, means: [accuracy] };
      },
      sitOut: () => dropouts.forEach((d) => d.skipCall()),
      dispose: () => {
        optimizer.dispose();
        model.dispose();
      },
    };
  }
  const build = spec.kind === 'vae' ? buildVae : buildCvae;
  const { encoder, decoder } = build({ imageSize: spec.imageSize, width: spec.width, latentDim: spec.latentDim, seed: spec.seed });
  let step = 0;
  return {
    models: { encoder, decoder },
    optimizer,
    ...variablesOf([encoder, decoder]),
    meanNames: ['reconstruction', 'kl'],
    loss: (xs, _ys, shard) => {
      const out = elboLoss({ encoder, decoder }, xs as tf.Tensor4D, noiseSeedOf(spec.seed, step++), 1, shard);
      return { loss: out.total, means: [out.reconstruction, out.kl] };
    },
    sitOut: () => void step++,
    dispose: () => {
      optimizer.dispose();
      encoder.dispose();
      decoder.dispose();
    },
  };
}
