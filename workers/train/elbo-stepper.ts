// Training steps of the generator VAE or the BrainCVAE, on this thread or data-parallel over
// several (workers/parallel): the same ELBO and noise either way, so the thread count changes no
// result beyond float rounding.
import * as tf from '@tensorflow/tfjs';
import { buildVae } from '../models/vae';
import { buildCvae } from '../models/cvae';
import { DataParallelTrainer } from '../parallel/data-parallel';
import { replicaSource, type ElboReplicaSpec } from './replicas';
import type { EncoderDecoder } from './losses';
import { checkElbo, elboStep, type VaeStepResult } from './vae-trainer';
import { parallelResumable, threadResumable, trainableVariables, type Resumable } from './resume-state';

export interface ElboStepper {
  /** The models trained (on the main thread): evaluate, sample and save these. */
  models: EncoderDecoder;
  step: (xs: tf.Tensor4D) => Promise<VaeStepResult>;
  /** Frees the optimiser and helper threads; `disposeModels` also frees the models. */
  close: (opts?: { disposeModels?: boolean }) => Promise<void>;
  resumable: Resumable;
}

export async function elboStepper(spec: ElboReplicaSpec, engine: { threads: number; backend: string }): Promise<ElboStepper> {
  const label = spec.kind === 'vae' ? 'VAE' : 'CVAE';
  let step = 0;
  if (engine.threads <= 1) {
    const build = spec.kind === 'vae' ? buildVae : buildCvae;
    const models = build({ imageSize: spec.imageSize, width: spec.width, latentDim: spec.latentDim, seed: spec.seed });
    const optimizer = tf.train.adam(spec.learningRate);
    const variables = trainableVariables(models.encoder, models.decoder);
    return {
      models,
      step: (xs) => elboStep(models, optimizer, xs, { seed: spec.seed, step: step++, beta: 1, label }),
      resumable: threadResumable({ ...models }, [{ optimizer, variables }], (at) => void (step = at)),
      close: async ({ disposeModels = false } = {}) => {
        optimizer.dispose();
        if (disposeModels) {
          models.encoder.dispose();
          models.decoder.dispose();
        }
      },
    };
  }
  const trainer = await DataParallelTrainer.start(replicaSource(spec), engine.threads, engine.backend);
  const { encoder, decoder } = trainer.replica.models;
  return {
    models: { encoder, decoder },
    step: async (xs) => {
      const { loss, means } = await trainer.step(xs);
      return checkElbo({ reconstruction: means.reconstruction, kl: means.kl, total: loss }, label, step++);
    },
    close: ({ disposeModels = false } = {}) => trainer.dispose({ disposeModel: disposeModels }),
    resumable: {
      ...parallelResumable(trainer),
      importState: async (optimizers, at) => {
        await trainer.importState(optimizers, at);
        step = at;
      },
    },
  };
}
