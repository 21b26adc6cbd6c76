// The models that data-parallel training can replicate across threads. Each thread builds its own
// copy from the same spec (a plain object, so it crosses postMessage) and computes the loss of its
// share of a batch; the weights and the optimiser state stay identical on every thread.
import * as tf from '@tensorflow/tfjs';
import { buildBrainCnn } from '../models/cnn';
import { SeededDropout } from '../models/seeded-dropout';

export interface CnnReplicaSpec {
  kind: 'cnn';
  imageSize: number;
  width: number;
  dropout: number;
  seed: number;
  learningRate: number;
}
export type ReplicaSpec = CnnReplicaSpec;

/** Rows [offset, offset + n) of a batch of `total` images. */
export interface Shard {
  offset: number;
  total: number;
}

export interface ShardLoss {
  /** The mean loss over this shard's images. */
  loss: tf.Scalar;
  /** Counts summed over the shards (for BrainCNN: correctly classified images). */
  counts: tf.Scalar[];
}

export interface Replica {
  /** The model evaluated and saved by the trainer (on the main thread). */
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** Trainable variables, in a fixed order shared by every thread. */
  trainable: tf.Variable[];
  /** Variables updated by the forward pass in training mode (batch-norm moving statistics). */
  state: tf.Variable[];
  /** Builds the loss of one shard; called inside the optimiser's gradient tape. */
  loss(xs: tf.Tensor, ys: tf.Tensor, shard: Shard): ShardLoss;
  /** Keeps per-step state (dropout streams) in step when this replica has no rows of a batch. */
  sitOut(): void;
  dispose(): void;
}

export function buildReplica(spec: ReplicaSpec): Replica {
  const model = buildBrainCnn({ imageSize: spec.imageSize, width: spec.width, dropout: spec.dropout, seed: spec.seed });
  const dropouts = model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
  const optimizer = tf.train.adam(spec.learningRate);
  return {
    model,
    optimizer,
    trainable: model.trainableWeights.map((w) => w.read() as tf.Variable),
    state: model.nonTrainableWeights.map((w) => w.read() as tf.Variable),
    loss: (xs, ys, shard) => {
      for (const d of dropouts) d.setShard(shard);
      const logits = model.apply(xs, { training: true }) as tf.Tensor2D;
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(ys, 1)), 'float32')) as tf.Scalar;
      return { loss: tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar, counts: [correct] };
    },
    sitOut: () => dropouts.forEach((d) => d.skipCall()),
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}
