// The train-generator job (paper section 5.1): a VAE or a GAN learns one class from that class's
// training split only (never validation or test), streaming its losses every step and a sample
// grid from fixed latent vectors every `sampleEvery` steps, beside a grid of real training images.
import * as tf from '@tensorflow/tfjs';
import type { Job, GeneratorSummary } from '../../lib/contracts/events';
import type { GeneratorConfig } from '../../lib/contracts/run-config';
import { readDatasetFiles } from '../data/dataset-store';
import { capIndices, splitToTensors } from '../data/tensors';
import { createRng } from '../../lib/rng';
import { classGridPng } from '../data/import/previews';
import { GAN_LATENT_DIM } from '../models/gan';
import { sampleVae } from '../train/vae-trainer';
import { elboStepper } from '../train/elbo-stepper';
import { threadsLabel } from '../parallel/threads';
import { ganStepper } from '../train/gan-stepper';
import { runEpochs, stepsOf, type StepMetrics } from '../train/epoch-loop';
import type { JobContext } from './context';
import { checkpointDirName, checkpointsToKeep, saveCheckpoint } from '../models/checkpoint';
import path from 'node:path';
import fs from 'node:fs';
import { METRICS } from '../../lib/contracts/metrics';
import { resumeRoot, type Resumable } from '../train/resume-state';

const GRID = 16;

/** One training step of either generator, and sampling from the fixed latents. */
interface Trainer {
  step: (xs: tf.Tensor4D) => Promise<StepMetrics>;
  sample: () => tf.Tensor4D;
  /** The part that generates (VAE decoder, GAN generator): what a checkpoint keeps. */
  generator: tf.LayersModel;
  dispose: () => Promise<void>;
  resumable: Resumable;
}

/** Either generator, data-parallel over engine.threads threads when there is more than one. */
async function makeTrainer(config: GeneratorConfig, engine: { threads: number; backend: string }): Promise<Trainer> {
  const latentDim = config.model === 'vae' ? config.latentDim : GAN_LATENT_DIM;
  const fixedZ = tf.randomNormal([GRID, latentDim], 0, 1, 'float32', config.seed + 17) as tf.Tensor2D;
  const { imageSize, width, seed, learningRate } = config;
  if (config.model === 'vae') {
    const vae = await elboStepper({ kind: 'vae', imageSize, width, latentDim, seed, learningRate }, engine);
    return {
      step: async (xs) => {
        const r = await vae.step(xs);
        return { [METRICS.vaeReconstruction]: r.reconstruction, [METRICS.vaeKl]: r.kl, [METRICS.vaeTotal]: r.total };
      },
      sample: () => sampleVae(vae.models.decoder, fixedZ),
      generator: vae.models.decoder,
      resumable: vae.resumable,
      dispose: async () => {
        fixedZ.dispose();
        await vae.close({ disposeModels: true });
      },
    };
  }
  const gan = await ganStepper({ imageSize, width, seed, learningRate }, engine);
  const { generator } = gan.models;
  return {
    step: async (xs) => {
      const r = await gan.step(xs);
      return { [METRICS.ganDLoss]: r.dLoss, [METRICS.ganGLoss]: r.gLoss, [METRICS.ganDReal]: r.dReal, [METRICS.ganDFake]: r.dFake };
    },
    sample: () => tf.tidy(() => generator.apply(fixedZ, { training: false }) as tf.Tensor4D),
    generator,
    resumable: gan.resumable,
    dispose: async () => {
      fixedZ.dispose();
      await gan.close();
    },
  };
}

async function gridOf(images: tf.Tensor4D, size: number): Promise<Buffer> {
  const pixels = await images.data();
  const tiles = Array.from({ length: images.shape[0] }, (_, i) => Uint8Array.from(pixels.subarray(i * size * size, (i + 1) * size * size), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
  return classGridPng(tiles, size, 4);
}

export async function runTrainGeneratorJob(job: Job, ctx: JobContext): Promise<{ summary: GeneratorSummary; results: [] }> {
  const started = Date.now();
  if (job.config.model !== 'vae' && job.config.model !== 'gan') throw new Error(`the generator job cannot train a ${job.config.model}`);
  const config: GeneratorConfig = job.config;
  const files = readDatasetFiles(job.dataset.dir);
  const label = config.imageClass === 'tumor' ? 1 : 0;
  const indices = capIndices(job.dataset.splits.train.filter((i) => files.labels[i] === label), config.limits.train, config.seed + 1);
  if (indices.length < config.batchSize) throw new Error(`only ${indices.length} ${config.imageClass} training images; need at least one batch of ${config.batchSize}`);
  const { xs: train, ys } = splitToTensors(files, indices, config.imageSize);
  ys.dispose();
  const trainer = await makeTrainer(config, { threads: ctx.threads, backend: ctx.backend });
  const loop = { batchSize: config.batchSize, epochs: config.epochs, partialBatch: false };
  ctx.log('info', `training ${config.model.toUpperCase()} on ${indices.length} ${config.imageClass} training images at ${config.imageSize}x${config.imageSize}: ${config.epochs} epochs of ${stepsOf(loop, indices.length).perEpoch} steps; backend ${ctx.backend}, ${threadsLabel(ctx.threads)}`);
  let samples = 0;
  const emitSamples = async (step: number) => {
    const grid = trainer.sample();
    ctx.image(step, 'samples', await gridOf(grid, config.imageSize));
    grid.dispose();
    samples++;
  };
  try {
    // A resumed run has its first grids already.
    if (!job.resume) {
      const real = tf.tidy(() => train.slice([0, 0, 0, 0], [Math.min(GRID, indices.length), -1, -1, -1]));
      ctx.image(0, 'real', await gridOf(real, config.imageSize));
      real.dispose();
      await emitSamples(0);
    }
    let losses: Record<string, number> = {};
    const checkpointRoot = path.join(job.paths.artifacts, 'checkpoints');
    const saved: number[] = [];
    let trainingStarted = Date.now();
    const { steps } = await runEpochs({
      ...loop,
      train: { xs: train },
      rng: createRng(config.seed + 7919),
      hooks: { onPoints: ctx.metrics, onProgress: ctx.progress, shouldStop: ctx.shouldStop },
      step: (xs) => trainer.step(xs),
      afterStep: async (step, totalSteps) => {
        if (step % config.sampleEvery === 0 || step === totalSteps) await emitSamples(step);
      },
      endEpoch: async (epoch, step, means) => {
        losses = Object.fromEntries(Object.entries(means).map(([name, value]) => [name.split('/')[1], value]));
        // One checkpoint per epoch (the generating half), pruned to the ones worth keeping.
        const bytes = await saveCheckpoint(path.join(checkpointRoot, checkpointDirName(epoch)), { generator: trainer.generator }, { runId: job.runId, model: config.model, imageClass: config.imageClass, epoch, step });
        saved.push(epoch);
        const keep = checkpointsToKeep(saved, config.epochs);
        for (const e of saved.filter((x) => !keep.has(x))) fs.rmSync(path.join(checkpointRoot, checkpointDirName(e)), { recursive: true, force: true });
        saved.splice(0, saved.length, ...saved.filter((x) => keep.has(x)));
        const parts = Object.entries(losses).map(([name, value]) => `${name} ${value.toFixed(4)}`);
        ctx.log('info', `epoch ${epoch}/${config.epochs}: ${parts.join(', ')}; checkpoint saved (${(bytes / 1e6).toFixed(1)} MB)`);
      },
      resume: {
        root: resumeRoot(job.paths.artifacts),
        from: job.resume,
        trainer: trainer.resumable,
        save: () => ({ json: { losses, saved, samples, trainingMs: Date.now() - trainingStarted } }),
        restore: ({ json }) => {
          const state = json as { losses: Record<string, number>; saved: number[]; samples: number; trainingMs: number };
          losses = state.losses;
          saved.splice(0, saved.length, ...state.saved);
          samples = state.samples;
          // Time per epoch counts the training done before the interruption, not the gap.
          trainingStarted = Date.now() - state.trainingMs;
        },
        log: (message) => ctx.log('info', message),
        sync: ctx.sync,
        saved: ctx.saved,
      },
    });
    const secondsPerEpoch = (Date.now() - trainingStarted) / 1000 / config.epochs;
    return { summary: { kind: 'generator', losses, steps, samples, checkpoints: saved, secondsPerEpoch, seconds: (Date.now() - started) / 1000 }, results: [] };
  } finally {
    await trainer.dispose();
    train.dispose();
  }
}
