// `npm run train -- --model cnn --preset smoke --seed 0 [--data NAME] [--epochs N] [--json]`:
// trains through the same queue, worker and job code as the dashboard, with an embedded
// headless server on the same DATA_DIR (so the run shows up on the dashboard afterwards).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { launchAndWatch, runCli, withHeadlessServer } from './watch-run';
import { modelNames, presetNames, techniqueNames, trainDataKinds } from '../../lib/contracts/run-config';
import { findDataset, listDatasets } from '../../db/queries/datasets';
import { importDataset } from '../datasets/import';
import { progressBar } from './progress';
import fs from 'node:fs';
import { isAnomalySummary, isClassifierSummary, isGeneratorSummary } from '../../lib/contracts/events';

const argsSchema = z.object({
  model: z.enum(modelNames),
  preset: z.enum(presetNames).default('quick'),
  seed: z.coerce.number().int().min(0).default(0),
  data: z.string().min(1).optional(),
  epochs: z.coerce.number().int().min(1).optional(),
  'image-size': z.coerce.number().int().optional(),
  class: z.enum(['tumor', 'healthy']).optional(),
  technique: z.array(z.enum(techniqueNames)).optional(),
  'train-data': z.enum(trainDataKinds).default('real'),
  synthetic: z.string().min(1).optional(),
  'mix-ratio': z.coerce.number().min(0).max(10).optional(),
  json: z.boolean().default(false),
});

function parseCli() {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' }, preset: { type: 'string' }, seed: { type: 'string' }, data: { type: 'string' },
      epochs: { type: 'string' }, 'image-size': { type: 'string' }, class: { type: 'string' }, json: { type: 'boolean' },
      technique: { type: 'string', multiple: true }, 'train-data': { type: 'string' }, synthetic: { type: 'string' }, 'mix-ratio': { type: 'string' },
    },
    strict: true,
  });
  // --technique giaem,dbscan and --technique giaem --technique dbscan both work.
  const parsed = argsSchema.safeParse({ ...values, technique: values.technique?.flatMap((t) => t.split(',')) });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  --${i.path.join('.')}: ${i.message}`);
    throw new Error(`bad arguments:\n${lines.join('\n')}\nusage: npm run train -- --model cnn|cvae|vae|gan [--class tumor|healthy] --preset smoke|quick|paper [--seed N] [--data NAME|PATH] [--epochs N]\n  [--technique giaem|dbscan|kmeans|global-kmeans ...] [--train-data real|synthetic|mixed --synthetic NAME|ID [--mix-ratio R]] [--json]`);
  }
  return parsed.data;
}

async function main() {
  const args = parseCli();
  const started = Date.now();
  await withHeadlessServer(async (server) => {
    const { services } = server;
    let datasetId: string | undefined;
    if (args.data) {
      const match = findDataset(services.db, args.data);
      if (match) datasetId = match.id;
      else if (fs.existsSync(args.data)) {
        // A path: import it first (a no-op when the same content is already stored).
        const imported = await importDataset(services.db, services.dataDir, { source: args.data, onProgress: (phase, done, total) => progressBar(phase, done, total) });
        console.error(`dataset ${imported.dataset.name} (${imported.dataset.id}): ${imported.imported} images, ${imported.skipped} skipped`);
        datasetId = imported.dataset.id;
      } else throw new Error(`"${args.data}" is neither a stored dataset (${listDatasets(services.db).map((d) => d.name).join(', ')}) nor a folder, .zip or NIfTI file`);
    }
    const overrides = { ...(args.epochs ? { epochs: args.epochs } : {}), ...(args['image-size'] ? { imageSize: args['image-size'] } : {}) };
    const run = await launchAndWatch(server, async (caller) => {
      let syntheticDatasetId: string | undefined;
      if (args.synthetic) {
        const match = findDataset(server.services.db, args.synthetic);
        if (!match) throw new Error(`no dataset named "${args.synthetic}"; synthetic datasets: ${listDatasets(server.services.db).filter((d) => d.kind === 'synthetic').map((d) => d.name).join(', ') || 'none yet (npm run generate)'}`);
        syntheticDatasetId = match.id;
      }
      const launched = await caller.runs.launch({
        model: args.model, preset: args.preset, seed: args.seed, datasetId, imageClass: args.class, overrides: overrides as never,
        trainData: args['train-data'], syntheticDatasetId, mixRatio: args['mix-ratio'], techniques: args.technique,
      });
      console.error(`run ${launched.id} queued (${args.model}, ${args.preset}, seed ${args.seed})`);
      return launched;
    });
    if (run.status !== 'succeeded' || !run.summary) throw new Error(`run ${run.id} ${run.status}: ${run.error ?? 'no result'}`);
    const base = { runId: run.id, model: run.model, preset: run.preset, seed: run.seed, dataset: run.datasetId, backend: run.backend, seconds: (Date.now() - started) / 1000 };
    if (isGeneratorSummary(run.summary)) {
      const out = { ...base, imageClass: run.imageClass, ...run.summary.losses, steps: run.summary.steps, samples: run.summary.samples, checkpoints: run.summary.checkpoints, secondsPerEpoch: run.summary.secondsPerEpoch };
      console.log(args.json ? JSON.stringify(out) : `${Object.entries(run.summary.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}  backend ${run.backend}  ${base.seconds.toFixed(1)} s`);
    } else if (isAnomalySummary(run.summary)) {
      const techniques = run.summary.techniques.map((t) => ({ technique: t.technique, accuracy: t.accuracy, precision: t.precision, recall: t.recall, f1: t.f1, auroc: t.scores.auroc, auprc: t.scores.auprc, confusion: t.confusion, params: t.params }));
      const out = { ...base, trainData: run.trainData, trainImages: run.summary.trainImages, techniques };
      if (args.json) console.log(JSON.stringify(out));
      else for (const t of techniques) console.log(`${t.technique.padEnd(14)} accuracy ${(t.accuracy * 100).toFixed(2)}%  precision ${(t.precision * 100).toFixed(2)}%  recall ${(t.recall * 100).toFixed(2)}%  F1 ${(t.f1 * 100).toFixed(2)}%  AUROC ${t.auroc.toFixed(3)}`);
    } else if (isClassifierSummary(run.summary)) {
      const { accuracy, precision, recall, f1, confusion, bestEpoch, scores, trainImages, threads } = run.summary;
      const out = { ...base, trainData: run.trainData, trainImages, accuracy, precision, recall, f1, auroc: scores?.auroc, auprc: scores?.auprc, confusion, bestEpoch, threads };
      if (args.json) console.log(JSON.stringify(out));
      else console.log(`accuracy ${(accuracy * 100).toFixed(2)}%  precision ${(precision * 100).toFixed(2)}%  recall ${(recall * 100).toFixed(2)}%  F1 ${(f1 * 100).toFixed(2)}%  backend ${run.backend}  ${base.seconds.toFixed(1)} s`);
    }
  });
}

runCli(main);
