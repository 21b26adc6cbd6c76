// The models that data-parallel training (workers/parallel) can replicate across threads. Each
// thread imports this module by URL and builds its own copy from the same spec (a plain object,
// so it crosses postMessage), then computes the loss (losses.ts) of its share of a batch; the
// weights and the optimiser state stay identical on every thread.
import * as tf from '@tensorflow/tfjs';
import { buildBrainCnn } from '../models/cnn';
import { buildVae } from '../models/vae';
import { buildCvae } from '../models/cvae';
import { SeededDropout } from '../models/seeded-dropout';
import { buildGan } from '../models/gan';
import { adamDefaults, type Replica, type ReplicaSource, type Shard } from '../parallel/replica';
import { cnnLoss, discriminatorLoss, elboLoss, ganLatents, generatorLoss, noiseSeedOf } from './losses';
import { createGanOptimizers, ganAdam } from './gan-trainer';

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

/** What DataParallelTrainer.start builds every thread's replica of `spec` from: this module. */
export function replicaSource(spec: ReplicaSpec): ReplicaSource {
  return { module: import.meta.url, spec };
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
          const { loss, correct } = cnnLoss(model, xs, ys);
          return { loss, means: [tf.mean(correct) as tf.Scalar] };
        },
        sitOut: () => dropouts.forEach((d) => d.skipCall()),
      }],
      seek: (step) => dropouts.forEach((d) => d.seek(step)),
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
    seek: (at) => void (step = at),
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
  const adam = ganAdam(spec.learningRate);
  const optimizers = createGanOptimizers(spec.learningRate);
  let step = 0;
  const latents = (shard: Shard, n: number) => ganLatents(n, step, spec.seed, shard);
  return {
    models: { generator, discriminator },
    phases: [
      {
        optimizer: optimizers.d,
        adam,
        ...variablesOf([discriminator]),
        meanNames: ['dReal', 'dFake'],
        loss: (xs, _ys, shard) => {
          // Detached: only the discriminator's variables are differentiated, and the fake batch does
          // not depend on them, so no gradient reaches the generator (as in trainGanStep).
          const fake = generator.apply(latents(shard, xs.shape[0]), { training: true }) as tf.Tensor;
          const { loss, dReal, dFake } = discriminatorLoss(discriminator, xs, fake);
          return { loss, means: [dReal, dFake] };
        },
        sitOut: () => undefined,
      },
      {
        optimizer: optimizers.g,
        adam,
        ...variablesOf([generator]),
        meanNames: [],
        loss: (xs, _ys, shard) => {
          const loss = generatorLoss({ generator, discriminator }, latents(shard, xs.shape[0]));
          step++;
          return { loss, means: [] };
        },
        sitOut: () => void step++,
      },
    ],
    seek: (at) => void (step = at),
    dispose: () => {
      optimizers.d.dispose();
      optimizers.g.dispose();
      generator.dispose();
      discriminator.dispose();
    },
  };
}
