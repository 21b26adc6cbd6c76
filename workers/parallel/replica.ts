// What data-parallel training asks of a model, whatever the model: a replica with one or more
// phases, each an optimiser's loss over a shard of the batch. The models themselves live outside
// this folder; a thread builds its replica from a module named by URL and a plain-object spec, so
// that both cross postMessage and this folder imports no model.
import type * as tf from '@tensorflow/tfjs';

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

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** One Adam optimiser's state: steps taken and the first and second moments of its trainable
 * variables, concatenated in their fixed order (the same on one thread and data-parallel). */
export interface OptimizerState {
  steps: number;
  m: Float32Array;
  v: Float32Array;
}

/** tf.train.adam's defaults, epsilon being the float32 backends' 1e-7. */
export const adamDefaults = (learningRate: number): AdamSettings => ({ learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });

/** One optimiser's part of a step: the GAN has two (the discriminator, then the generator
 * against the updated discriminator); the other models one. */
export interface Phase {
  optimizer: tf.Optimizer;
  adam: AdamSettings;
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
}

export interface Replica {
  /** The models, by role (for example model, or encoder and decoder); the main thread's are
   * the ones a trainer evaluates and saves. */
  models: Record<string, tf.LayersModel>;
  phases: Phase[];
  /** Sets the per-step streams (noise, latents, dropout masks) to `step` steps taken: a run
   * resumed from a saved state goes on with the draws it would have made. */
  seek?(step: number): void;
  dispose(): void;
}

/** Where every thread builds its replica from: the URL of a module exporting
 * `buildReplica(spec): Replica`, and the spec (a plain object, copied to each thread). */
export interface ReplicaSource {
  module: string;
  spec: unknown;
}

/** Imports the source's module (on any thread) and builds a replica from its spec. */
export async function buildReplicaFrom(source: ReplicaSource): Promise<Replica> {
  const loaded = (await import(source.module)) as { buildReplica?: (spec: unknown) => Replica };
  if (typeof loaded.buildReplica !== 'function') throw new Error(`${source.module} exports no buildReplica(spec) for data-parallel training`);
  return loaded.buildReplica(source.spec);
}
