// The anomaly job (paper section 5.2): a BrainCVAE learns healthy images only (real, synthetic or
// mixed); the pixel-wise reconstruction errors of the real validation and test images are then
// classified by each chosen technique, whose hyper-parameters are searched on validation only and
// applied once to test.
import * as tf from '@tensorflow/tfjs';
import type { AnomalySummary, Job, ResultCell, TechniqueResult } from '../../lib/contracts/events';
import type { CvaeConfig } from '../../lib/contracts/run-config';
import { readDatasetFiles } from '../data/dataset-store';
import { capIndices, splitToTensors } from '../data/tensors';
import { trainingSet } from '../data/train-data';
import { createRng } from '../../lib/rng';
import type { CvaeModels } from '../models/cvae';
import { errorMaps } from '../train/cvae-trainer';
import { elboStepper } from '../train/elbo-stepper';
import { threadsLabel } from '../parallel/threads';
import { RunStoppedError, runEpochs } from '../train/epoch-loop';
import { applyTechnique, evaluateApplied, searchOnValidation } from '../eval/anomaly';
import { scoreSummary } from '../eval/roc';
import { balancedAccuracy } from '../../lib/stats/classification';
import { heatmapRowsPng } from '../eval/heatmap';
import { describeTraining, RESULT_METRICS, type ClassifyOutcome } from './classify';
import type { JobContext } from './context';
import { resumeRoot } from '../train/resume-state';
import { METRICS, type MetricName } from '../../lib/contracts/metrics';

/** Mean absolute error per pixel of each image, from its error map. */
function meanErrors(maps: Float32Array, pixels: number): Float64Array {
  const n = maps.length / pixels;
  return Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let p = i * pixels; p < (i + 1) * pixels; p++) s += maps[p];
    return s / pixels;
  });
}

const meanOf = (values: Float64Array, labels: Uint8Array, label: number) => {
  let s = 0, n = 0;
  values.forEach((v, i) => { if (labels[i] === label) { s += v; n++; } });
  return n ? s / n : NaN;
};

async function heatmaps(model: CvaeModels, xs: tf.Tensor4D, labels: Uint8Array, size: number): Promise<Buffer> {
  const pick = [1, 0].flatMap((label) => Array.from(labels.keys()).filter((i) => labels[i] === label).slice(0, 4));
  const [input, recon] = tf.tidy(() => {
    const x = tf.gather(xs, tf.tensor1d(pick, 'int32')) as tf.Tensor4D;
    const [mean] = model.encoder.apply(x, { training: false }) as tf.Tensor2D[];
    return [x, model.decoder.apply(mean, { training: false }) as tf.Tensor4D];
  });
  const [a, b] = await Promise.all([input.data(), recon.data()]);
  tf.dispose([input, recon]);
  const px = size * size;
  return heatmapRowsPng(pick.map((_, k) => ({ input: a.subarray(k * px, (k + 1) * px), reconstruction: b.subarray(k * px, (k + 1) * px) })), size);
}

export async function runAnomalyJob(job: Job, ctx: JobContext): Promise<ClassifyOutcome<AnomalySummary>> {
  const started = Date.now();
  if (job.config.model !== 'cvae') throw new Error(`the anomaly job cannot train a ${job.config.model}`);
  const config: CvaeConfig = job.config;
  const splits = job.dataset.anomalySplits;
  if (!splits) throw new Error(`dataset ${job.dataset.name} has no anomaly split; import it again`);
  const files = readDatasetFiles(job.dataset.dir);
  const healthyOnly = (f: { labels: Uint8Array }, idx: number[]) => idx.filter((i) => f.labels[i] === 0);
  let synthetic = null;
  if (job.synthetic) {
    const synthFiles = readDatasetFiles(job.synthetic.dir);
    synthetic = { files: synthFiles, indices: healthyOnly(synthFiles, job.synthetic.splits.train) };
  }
  const size = config.imageSize;
  const train = trainingSet(config.trainData, { files, indices: healthyOnly(files, splits.train) }, synthetic, { mixRatio: config.mixRatio, cap: config.limits.train, seed: config.seed, imageSize: size });
  train.ys.dispose();
  const real = (name: 'val' | 'test', salt: number) => splitToTensors(files, capIndices(splits[name], config.limits[name], config.seed + salt), size);
  const val = real('val', 2);
  const test = real('test', 3);
  tf.dispose([val.ys, test.ys]);
  ctx.log('info', `training BrainCVAE on ${describeTraining(config.trainData, train.counts, job.synthetic?.name)} (healthy only); validation ${val.labels.length} / test ${test.labels.length} real images (both classes); backend ${ctx.backend}, ${threadsLabel(ctx.threads)}`);
  const stepper = await elboStepper({ kind: 'cvae', imageSize: size, width: config.width, latentDim: config.latentDim, seed: config.seed, learningRate: config.learningRate }, ctx);
  const model: CvaeModels = stepper.models;
  try {
    const n = train.labels.length;
    let last: Record<string, number> = {};
    const { steps } = await runEpochs({
      train: { xs: train.xs },
      batchSize: Math.min(config.batchSize, n),
      epochs: config.epochs,
      partialBatch: false,
      rng: createRng(config.seed + 7919),
      // One more step of progress for the technique search after training.
      hooks: { onPoints: ctx.metrics, onProgress: (at, step, total) => ctx.progress(at, step, total + 1), shouldStop: ctx.shouldStop },
      step: async (xs) => {
        const r = await stepper.step(xs);
        return { [METRICS.cvaeReconstruction]: r.reconstruction, [METRICS.cvaeKl]: r.kl, [METRICS.cvaeTotal]: r.total };
      },
      endEpoch: async (epoch, step, means) => {
        // An epoch without steps (no healthy training image) averages to NaN, as 0 / 0.
        const mean = (name: MetricName) => means[name] ?? NaN;
        last = { reconstruction: mean(METRICS.cvaeReconstruction), kl: mean(METRICS.cvaeKl), total: mean(METRICS.cvaeTotal) };
        // How far apart the classes' mean errors are on validation: the signal every technique uses.
        const valErr = meanErrors(await errorMaps(model, val.xs, 64), size * size);
        const healthy = meanOf(valErr, val.labels, 0), tumor = meanOf(valErr, val.labels, 1);
        ctx.metrics([
          { step, epoch, name: METRICS.valErrorHealthy, value: healthy },
          { step, epoch, name: METRICS.valErrorTumor, value: tumor },
        ]);
        ctx.log('info', `epoch ${epoch}/${config.epochs}: loss ${last.total.toFixed(2)} (reconstruction ${last.reconstruction.toFixed(2)}, KL ${last.kl.toFixed(2)}); validation mean |x - x̂| healthy ${healthy.toFixed(4)}, tumour ${tumor.toFixed(4)}`);
      },
      resume: {
        root: resumeRoot(job.paths.artifacts),
        from: job.resume,
        trainer: stepper.resumable,
        save: () => ({ json: { last } }),
        restore: ({ json }) => void (last = (json as { last: Record<string, number> }).last),
        log: (message) => ctx.log('info', message),
        sync: ctx.sync,
        saved: ctx.saved,
      },
    });

    const valMaps = await errorMaps(model, val.xs, 64);
    const testMaps = await errorMaps(model, test.xs, 64);
    ctx.image(steps, 'heatmap', await heatmaps(model, test.xs, test.labels, size));
    const techniques: TechniqueResult[] = [];
    const results: ResultCell[] = [];
    for (const technique of config.techniques) {
      if (ctx.shouldStop()) throw new RunStoppedError('the run was cancelled');
      const t0 = Date.now();
      const search = searchOnValidation(technique, valMaps, val.labels, size, { seed: config.seed });
      await new Promise((resolve) => setImmediate(resolve)); // answer pings and cancellation between the long phases
      const applied = applyTechnique(technique, search.params, search.fitted, testMaps, size);
      const evaluation = evaluateApplied(applied, test.labels);
      const { technique: _name, ...params } = search.params;
      const entry: TechniqueResult = {
        technique,
        params: params as Record<string, number>,
        validationF1: search.validation.f1,
        ...evaluation.metrics,
        scores: scoreSummary(applied.scores, test.labels),
      };
      techniques.push(entry);
      const values = { ...evaluation.metrics, auroc: entry.scores.auroc, balancedAccuracy: balancedAccuracy(evaluation.metrics.confusion) };
      for (const metric of RESULT_METRICS) results.push({ model: 'cvae', technique, trainData: config.trainData, seed: config.seed, metric, value: values[metric] });
      await new Promise((resolve) => setImmediate(resolve));
      ctx.log('info', `${technique}: ${JSON.stringify(params)} chosen on validation (F1 ${(search.validation.f1 * 100).toFixed(1)}%, ${search.candidates} settings); test accuracy ${(entry.accuracy * 100).toFixed(2)}%, precision ${(entry.precision * 100).toFixed(2)}%, recall ${(entry.recall * 100).toFixed(2)}%, F1 ${(entry.f1 * 100).toFixed(2)}%, AUROC ${entry.scores.auroc.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    ctx.progress(config.epochs, steps + 1, steps + 1);
    const summary: AnomalySummary = {
      kind: 'anomaly', techniques, finalLosses: last, testSize: test.labels.length, valSize: val.labels.length, trainImages: train.counts, seconds: (Date.now() - started) / 1000,
    };
    return { summary, results };
  } finally {
    await stepper.close({ disposeModels: true });
    tf.dispose([train.xs, val.xs, test.xs]);
  }
}
