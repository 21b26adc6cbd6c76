// The models that data-parallel training can replicate across threads. Each thread builds its own
// copy from the same spec (a plain object, so it crosses postMessage) and computes the loss of its
// share of a batch; the weights and the optimiser state stay identical on every thread.
import * as tf from '@tensorflow/tfjs';
import { buildBrainCnn } from '../models/cnn';
import { buildVae } from '../models/vae';
import { buildCvae } from '../models/cvae';
import { SeededDropout } from '../models/seeded-dropout';
import { buildGan } from '../models/gan';
import { elboLoss, noiseSeedOf } from '../train/vae-trainer';
import { GAN_REAL_TARGET, ganLatents } from '../train/gan-trainer';
import { adamDefaults, type AdamSettings } from './exchange';

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
export interface GanReplicaSpec {
  kind: 'gan';
  imageSize: number;
  width: number;
  seed: number;
  learningRate: number;
}
export type ReplicaSpec = CnnReplicaSpec | ElboReplicaSpec | GanReplicaSpec;

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
  /** The models, by role (cnn: model; vae, cvae: encoder, decoder; gan: generator,
   * discriminator); the main thread's are the ones a trainer evaluates and saves. */
  models: Record<string, tf.LayersModel>;
  phases: Phase[];
  dispose(): void;
}

function variablesOf(models: tf.LayersModel[]) {
  return {
    trainable: models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable)),
    state: models.flatMap((m) => m.nonTrainableWeights.map((w) => w.read() as tf.Variable)),
  };
}

export function buildReplica(spec: ReplicaSpec): Replica {
  if (spec.kind === 'gan') return ganReplica(spec);
  const optimizer = tf.train.adam(spec.learningRate);
  const adam = adamDefaults(spec.learningRate);
  if (spec.kind === 'cnn') {
    const model = buildBrainCnn({ imageSize: spec.imageSize, width: spec.width, dropout: spec.dropout, seed: spec.seed });
    const dropouts = model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
    return {
      models: { model },
      phases: [{
      optimizer,
      adam,
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
      }],
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
    phases: [{
      optimizer,
      adam,
      ...variablesOf([encoder, decoder]),
      meanNames: ['reconstruction', 'kl'],
      loss: (xs, _ys, shard) => {
        const out = elboLoss({ encoder, decoder }, xs as tf.Tensor4D, noiseSeedOf(spec.seed, step++), 1, shard);
        return { loss: out.total, means: [out.reconstruction, out.kl] };
      },
      sitOut: () => void step++,
    }],
    dispose: () => {
      optimizer.dispose();
      encoder.dispose();
      decoder.dispose();
    },
  };
}

/**
 * The GAN's step as trainGanStep takes it, in two phases: the discriminator on the real shard and
 * on a detached fake shard, then the generator (non-saturating loss) against the updated
 * discriminator, both from the same latents. The latents are drawn for the whole batch and
 * sliced; the generator's batch norm is synchronised across threads.
 */
function ganReplica(spec: GanReplicaSpec): Replica {
  const { generator, discriminator } = buildGan({ imageSize: spec.imageSize, width: spec.width, seed: spec.seed });
  const adam: AdamSettings = { ...adamDefaults(spec.learningRate), beta1: 0.5, beta2: 0.999 };
  const optimizers = [0, 1].map(() => tf.train.adam(spec.learningRate, adam.beta1, adam.beta2));
  let step = 0;
  const latents = (shard: Shard, n: number) => tf.slice(ganLatents(shard.total, step, spec.seed), shard.offset, n);
  return {
    models: { generator, discriminator },
    phases: [
      {
        optimizer: optimizers[0],
        adam,
        ...variablesOf([discriminator]),
        meanNames: ['dReal', 'dFake'],
        loss: (xs, _ys, shard) => {
          // Detached: only the discriminator's variables are differentiated, and the fake batch does
          // not depend on them, so no gradient reaches the generator (as in trainGanStep).
          const fake = generator.apply(latents(shard, xs.shape[0]), { training: true }) as tf.Tensor;
          const realLogits = discriminator.apply(xs, { training: true }) as tf.Tensor2D;
          const fakeLogits = discriminator.apply(fake, { training: true }) as tf.Tensor2D;
          const realLoss = tf.losses.sigmoidCrossEntropy(tf.fill(realLogits.shape, GAN_REAL_TARGET), realLogits);
          const fakeLoss = tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits);
          return { loss: tf.add(realLoss, fakeLoss) as tf.Scalar, means: [tf.mean(tf.sigmoid(realLogits)) as tf.Scalar, tf.mean(tf.sigmoid(fakeLogits)) as tf.Scalar] };
        },
        sitOut: () => undefined,
      },
      {
        optimizer: optimizers[1],
        adam,
        ...variablesOf([generator]),
        meanNames: [],
        loss: (xs, _ys, shard) => {
          const logits = discriminator.apply(generator.apply(latents(shard, xs.shape[0]), { training: true }), { training: true }) as tf.Tensor2D;
          step++;
          return { loss: tf.losses.sigmoidCrossEntropy(tf.onesLike(logits), logits) as tf.Scalar, means: [] };
        },
        sitOut: () => void step++,
      },
    ],
    dispose: () => {
      optimizers.forEach((o) => o.dispose());
      generator.dispose();
      discriminator.dispose();
    },
  };
}
