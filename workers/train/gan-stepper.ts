// Training steps of the GAN, on this thread or data-parallel over several (workers/parallel): the
// same two phases and latents either way, so the thread count changes no result beyond float
// rounding.
import type * as tf from '@tensorflow/tfjs';
import { buildGan, type GanModels } from '../models/gan';
import { DataParallelTrainer } from '../parallel/data-parallel';
import { replicaSource, type GanReplicaSpec } from './replicas';
import { checkGan, createGanOptimizers, trainGanStep, type GanStepResult } from './gan-trainer';
import { parallelResumable, threadResumable, trainableVariables, type Resumable } from './resume-state';

export interface GanStepper {
  /** The models trained (on the main thread): sample from and save these. */
  models: GanModels;
  step: (xs: tf.Tensor4D) => Promise<GanStepResult>;
  /** Frees the optimisers, helper threads and models. */
  close: () => Promise<void>;
  resumable: Resumable;
}

export async function ganStepper(spec: Omit<GanReplicaSpec, 'kind'>, engine: { threads: number; backend: string }): Promise<GanStepper> {
  let step = 0;
  if (engine.threads <= 1) {
    const models = buildGan(spec);
    const optimizers = createGanOptimizers(spec.learningRate);
    return {
      models,
      step: (xs) => trainGanStep(models, optimizers, xs, step++, spec.seed),
      // The discriminator's optimiser first, as the data-parallel phases.
      resumable: threadResumable(
        { ...models },
        [
          { optimizer: optimizers.d, variables: trainableVariables(models.discriminator) },
          { optimizer: optimizers.g, variables: trainableVariables(models.generator) },
        ],
        (at) => void (step = at),
      ),
      close: async () => {
        optimizers.g.dispose();
        optimizers.d.dispose();
        models.generator.dispose();
        models.discriminator.dispose();
      },
    };
  }
  const trainer = await DataParallelTrainer.start(replicaSource({ kind: 'gan', ...spec }), engine.threads, engine.backend);
  const { generator, discriminator } = trainer.replica.models;
  return {
    models: { generator, discriminator },
    step: async (xs) => {
      const { losses, means } = await trainer.step(xs);
      return checkGan({ dLoss: losses[0], gLoss: losses[1], dReal: means.dReal, dFake: means.dFake }, step++);
    },
    close: () => trainer.dispose({ disposeModel: true }),
    resumable: {
      ...parallelResumable(trainer),
      importState: async (optimizers, at) => {
        await trainer.importState(optimizers, at);
        step = at;
      },
    },
  };
}
