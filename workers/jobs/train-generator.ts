// The train-generator job (paper section 5.1): a VAE or a GAN learns one class from that class's
// training split only (never validation or test), streaming its losses every step and a sample
// grid from fixed latent vectors every `sampleEvery` steps, beside a grid of real training images,
// and its quality on the real validation images of its class every `qualityEvery` epochs
// (eval/training-quality.ts), kept in each checkpoint's meta.json.
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
import { bestQualityEpoch, type EpochQuality } from '../../lib/contracts/epoch-quality';
import { loadOrTrainEncoder, type DomainEncoder } from '../eval/domain-encoder';
import { realImages } from '../eval/images';
import { isQualityEpoch, measureEpochQuality, QUALITY_SAMPLE, qualitySeed, validationReference, type ValidationReference } from '../eval/training-quality';
import path from 'node:path';
import fs from 'node:fs';
import { METRICS, type MetricName } from '../../lib/contracts/metrics';
import { resumeRoot, type Resumable } from '../train/resume-state';

const GRID = 16;

/** One training step of either generator, and sampling from the fixed latents. */
interface Trainer {
  step: (xs: tf.Tensor4D) => Promise<StepMetrics>;
  sample: () => tf.Tensor4D;
  latentDim: number;
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
      latentDim,
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
    latentDim,
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

/** What the quality measure needs for a whole run: the domain encoder (trained once per real
 * dataset and size, then cached) and the encoded real validation images of the run's class. */
async function qualityReference(job: Job, ctx: JobContext, config: GeneratorConfig, files: ReturnType<typeof readDatasetFiles>, label: number): Promise<{ encoder: DomainEncoder; reference: ValidationReference }> {
  const val = capIndices(job.dataset.splits.val.filter((i) => files.labels[i] === label), QUALITY_SAMPLE[config.preset], config.seed + 2);
  const encoder = await loadOrTrainEncoder(job.paths.encoders, job.dataset, files, config.imageSize, { log: (m) => ctx.log('info', m), shouldStop: ctx.shouldStop });
  try {
    return { encoder, reference: await validationReference(encoder, realImages(files, val, config.imageSize), config.imageClass) };
  } catch (err) {
    encoder.dispose();
    throw err;
  }
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
  const measuring = config.qualityEvery ? await qualityReference(job, ctx, config, files, label) : null;
  const trainer = await makeTrainer(config, { threads: ctx.threads, backend: ctx.backend }).catch((err) => {
    measuring?.encoder.dispose();
    throw err;
  });
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
    // Every quality measure so far, in epoch order (carried by the resume state).
    const quality: EpochQuality[] = [];
    const measure = async (epoch: number, step: number): Promise<EpochQuality | null> => {
      if (!measuring || !isQualityEpoch(epoch, config.qualityEvery, config.epochs)) return null;
      const t0 = Date.now();
      const q = await measureEpochQuality({
        generator: trainer.generator, latentDim: trainer.latentDim, size: config.imageSize, samples: QUALITY_SAMPLE[config.preset],
        seed: qualitySeed(config.seed), encoder: measuring.encoder, reference: measuring.reference, epoch, step, shouldStop: ctx.shouldStop,
      });
      quality.push(q);
      const values: [MetricName, number][] = [[METRICS.qualityFid, q.fid], [METRICS.qualityKid, q.kid], [METRICS.qualityPrecision, q.precision], [METRICS.qualityRecall, q.recall]];
      if (q.classFidelity) values.push([METRICS.qualityClassFidelity, q.classFidelity.synthetic], [METRICS.qualityClassFidelityReal, q.classFidelity.realVal]);
      ctx.metrics(values.filter(([, v]) => Number.isFinite(v)).map(([name, value]) => ({ step, epoch, name, value })));
      ctx.log('info', `quality at epoch ${epoch}: ${q.samples} samples against ${q.realVal} real validation ${config.imageClass} images: FID ${q.fid.toFixed(2)}, KID ${q.kid.toFixed(4)}, precision ${(q.precision * 100).toFixed(1)}%, recall ${(q.recall * 100).toFixed(1)}%${q.classFidelity ? `, class fidelity ${(q.classFidelity.synthetic * 100).toFixed(1)}% (real ${(q.classFidelity.realVal * 100).toFixed(1)}%)` : ''}${q.modeCollapseLikely ? ', mode collapse likely' : ''} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      return q;
    };
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
        const measured = await measure(epoch, step);
        // One checkpoint per epoch (the generating half), pruned to the ones worth keeping; its
        // meta carries the quality measured so far, so the server never re-measures.
        const meta = { runId: job.runId, model: config.model, imageClass: config.imageClass, epoch, step, quality: measured, qualityHistory: quality };
        const bytes = await saveCheckpoint(path.join(checkpointRoot, checkpointDirName(epoch)), { generator: trainer.generator }, meta);
        saved.push(epoch);
        const keep = checkpointsToKeep(saved, config.epochs, bestQualityEpoch(quality, saved)?.epoch);
        for (const e of saved.filter((x) => !keep.has(x))) fs.rmSync(path.join(checkpointRoot, checkpointDirName(e)), { recursive: true, force: true });
        saved.splice(0, saved.length, ...saved.filter((x) => keep.has(x)));
        const parts = Object.entries(losses).map(([name, value]) => `${name} ${value.toFixed(4)}`);
        ctx.log('info', `epoch ${epoch}/${config.epochs}: ${parts.join(', ')}; checkpoint saved (${(bytes / 1e6).toFixed(1)} MB)`);
      },
      resume: {
        root: resumeRoot(job.paths.artifacts),
        from: job.resume,
        trainer: trainer.resumable,
        save: () => ({ json: { losses, saved, samples, quality, trainingMs: Date.now() - trainingStarted } }),
        restore: ({ json }) => {
          const state = json as { losses: Record<string, number>; saved: number[]; samples: number; quality?: EpochQuality[]; trainingMs: number };
          losses = state.losses;
          saved.splice(0, saved.length, ...state.saved);
          quality.splice(0, quality.length, ...(state.quality ?? []));
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
    measuring?.encoder.dispose();
    train.dispose();
  }
}
