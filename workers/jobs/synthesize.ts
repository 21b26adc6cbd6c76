// The synthesis job: draws N images per class from chosen generator checkpoints into a staged
// dataset version, and measures it against the real dataset the generators learned from (the
// quality and privacy report). The server registers the staged folder when the run completes.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Job, SyntheticSummary } from '../../lib/contracts/events';
import type { GeneratorConfig, SynthConfig } from '../../lib/contracts/run-config';
import { datasetHash, readDatasetFiles, writeDatasetFiles } from '../data/dataset-store';
import { capIndices } from '../data/tensors';
import { classGridPng } from '../data/import/previews';
import { buildVae } from '../models/vae';
import { buildGan, GAN_LATENT_DIM } from '../models/gan';
import { loadCheckpoint } from '../models/checkpoint';
import { loadOrTrainEncoder } from '../eval/domain-encoder';
import { classQuality } from '../eval/quality-report';
import type { ClassQuality } from '../../lib/contracts/quality';
import { drawImages, realImages } from '../eval/images';
import type { JobContext } from './context';

/** Metrics run on at most this many images per set (FID/KID/PRD are O(n^2) or need a stable
 * covariance; 1,000 keeps a report under a minute on two cores). */
const EVAL_CAP = 1000;

function loadGenerator(config: GeneratorConfig, checkpointDir: string): { model: tf.LayersModel; latentDim: number } {
  if (config.model === 'vae') {
    const vae = buildVae({ imageSize: config.imageSize, width: config.width, latentDim: config.latentDim, seed: config.seed });
    vae.encoder.dispose();
    loadCheckpoint(checkpointDir, { generator: vae.decoder });
    return { model: vae.decoder, latentDim: config.latentDim };
  }
  const gan = buildGan({ imageSize: config.imageSize, width: config.width, seed: config.seed });
  gan.discriminator.dispose();
  loadCheckpoint(checkpointDir, { generator: gan.generator });
  return { model: gan.generator, latentDim: GAN_LATENT_DIM };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function runSynthesizeJob(job: Job, ctx: JobContext): Promise<{ summary: SyntheticSummary; results: [] }> {
  const started = Date.now();
  if (job.config.model !== 'synth') throw new Error(`the synthesis job cannot run a ${job.config.model}`);
  const config: SynthConfig = job.config;
  if (job.generators.length === 0) throw new Error('a synthesis run needs at least one generator run');
  const sizes = new Set(job.generators.map((g) => g.config.imageSize));
  if (sizes.size > 1) throw new Error(`the generators make images of different sizes (${[...sizes].join(', ')} px); pick generators trained at one size`);
  const size = job.generators[0].config.imageSize;
  const files = readDatasetFiles(job.dataset.dir);
  // Progress: encoder 0-40%, drawing 40-70%, report 70-100% (in per-mille steps).
  const TOTAL = 1000;
  const progress = (fraction: number) => ctx.progress(0, Math.round(fraction * TOTAL), TOTAL);

  const encoder = await loadOrTrainEncoder(job.paths.encoders, job.dataset, files, size, {
    log: (m) => ctx.log('info', m),
    onPoints: ctx.metrics,
    onProgress: (_e, step, total) => progress((0.4 * step) / total),
    shouldStop: ctx.shouldStop,
  });
  try {
    progress(0.4);
    const images: Uint8Array[] = [];
    const labels: number[] = [];
    const reports: ClassQuality[] = [];
    const extras: Record<string, Uint8Array | string> = {};
    for (const [k, gen] of job.generators.entries()) {
      const { model, latentDim } = loadGenerator(gen.config, gen.checkpointDir);
      let synthetic: Uint8Array[];
      try {
        const reason = config.generators.find((g) => g.runId === gen.runId)?.reason;
        ctx.log('info', `drawing ${config.perClass} ${gen.config.imageClass} images from ${gen.config.model.toUpperCase()} run ${gen.runId}, epoch ${gen.epoch}${reason ? ` (${reason})` : ''}`);
        synthetic = await drawImages(model, latentDim, config.perClass, size, config.seed + k, ctx.shouldStop, (done) => progress(0.4 + (0.3 * (k + done / config.perClass)) / job.generators.length));
      } finally {
        model.dispose();
      }
      const label = gen.config.imageClass === 'tumor' ? 1 : 0;
      images.push(...synthetic);
      labels.push(...synthetic.map(() => label));

      // The report: against this class's real training images, with held-out real images (the
      // validation split) as the yardstick. The test split is never read here.
      const ofClass = (idx: number[]) => idx.filter((i) => files.labels[i] === label);
      const realTrain = realImages(files, capIndices(ofClass(job.dataset.splits.train), EVAL_CAP, config.seed + 1), size);
      const realHeldOut = realImages(files, capIndices(ofClass(job.dataset.splits.val), EVAL_CAP, config.seed + 2), size);
      if (realHeldOut.length < 2 || realTrain.length < 2) throw new Error(`the real dataset has too few ${gen.config.imageClass} images in its training or validation split to measure against`);
      const evalSynthetic = synthetic.length > EVAL_CAP ? synthetic.slice(0, EVAL_CAP) : synthetic;
      ctx.log('info', `measuring ${gen.config.imageClass}: ${evalSynthetic.length} synthetic against ${realTrain.length} real training and ${realHeldOut.length} held-out images`);
      const [encodedSynthetic, encodedHeldOut] = [await encoder.encode(evalSynthetic), await encoder.encode(realHeldOut)];
      const report = classQuality({
        imageClass: gen.config.imageClass,
        size,
        synthetic: evalSynthetic,
        realTrain,
        realHeldOut,
        features: { synthetic: encodedSynthetic.features, realTrain: await encoder.features(realTrain), realHeldOut: encodedHeldOut.features },
        predicted: { synthetic: encodedSynthetic.predicted, realHeldOut: encodedHeldOut.predicted },
        seed: config.seed,
      });
      reports.push(report);
      for (const w of report.warnings) ctx.log('warn', `${gen.config.imageClass}: ${w}`);
      ctx.log('info', `${gen.config.imageClass}: FID ${report.fid.toFixed(2)} (real held-out ${report.fidRealBaseline.toFixed(2)}), KID ${report.kid.mean.toFixed(4)}, precision ${(report.precision * 100).toFixed(1)}%, recall ${(report.recall * 100).toFixed(1)}%, class fidelity ${(report.classFidelity.synthetic * 100).toFixed(1)}% (real held-out ${(report.classFidelity.realHeldOut * 100).toFixed(1)}%), memorisation ratio ${report.memorization.memorizationRatio.toFixed(3)}`);
      // Gallery of the closest synthetic/real pairs (synthetic left, its closest real image right).
      const pairTiles = report.memorization.closest.flatMap((c) => [evalSynthetic[c.syntheticIndex], realTrain[c.trainIndex]]);
      extras[`closest-${gen.config.imageClass}.png`] = await classGridPng(pairTiles, size, 4);
      extras[`preview-${gen.config.imageClass}.png`] = await classGridPng(synthetic.slice(0, 32), size);
      progress(0.4 + 0.3 + (0.3 * (k + 1)) / job.generators.length);
    }

    const labelArray = Uint8Array.from(labels);
    const contentHash = datasetHash(images, labelArray, size);
    const quality = {
      fid: mean(reports.map((r) => r.fid)),
      kid: mean(reports.map((r) => r.kid.mean)),
      precision: mean(reports.map((r) => r.precision)),
      recall: mean(reports.map((r) => r.recall)),
      memorizationRatio: mean(reports.map((r) => r.memorization.memorizationRatio)),
      copyingLikely: reports.some((r) => r.memorization.copyingLikely),
      modeCollapseLikely: reports.some((r) => r.modeCollapse.likely),
    };
    extras['quality.json'] = JSON.stringify({ encoder: encoder.info, classes: reports, headline: quality, evalCap: EVAL_CAP });
    fs.mkdirSync(path.dirname(job.paths.staging), { recursive: true });
    writeDatasetFiles(job.paths.staging, size, images, labelArray, extras);
    const tumor = labels.filter((l) => l === 1).length;
    ctx.log('info', `staged ${images.length} synthetic images (${tumor} tumour, ${images.length - tumor} healthy) at ${size} px`);
    return {
      summary: {
        kind: 'synthetic', contentHash, imageSize: size, count: images.length,
        classCounts: { tumor, healthy: images.length - tumor }, quality, seconds: (Date.now() - started) / 1000,
      },
      results: [],
    };
  } finally {
    encoder.dispose();
  }
}
