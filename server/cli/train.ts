// `npm run train -- --model cnn --preset smoke --seed 0 [--data NAME] [--epochs N] [--json]
// [--server URL --token T]`: trains through the same queue, worker and job code as the dashboard,
// with an embedded headless server on the same DATA_DIR (so the run shows up on the dashboard
// afterwards), or through a running dashboard as the token's owner.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { launchAndWatch, runCli } from './watch-run';
import { dashboardOptions, parseTarget, resolveDataset, withDashboard, type Dashboard } from './dashboard';
import { modelNames, presetNames, techniqueNames, trainDataKinds } from '../../lib/contracts/run-config';
import { importDataset } from '../datasets/import';
import { progressBar } from './progress';
import { isAnomalySummary, isClassifierSummary, isGeneratorSummary } from '../../lib/contracts/events';

const argsSchema = z.object({
  model: z.enum(modelNames),
  preset: z.enum(presetNames).default('quick'),
  seed: z.coerce.number().int().min(0).default(0),
  data: z.string().min(1).optional(),
  epochs: z.coerce.number().int().min(1).optional(),
  patience: z.coerce.number().int().min(1).optional(),
  'image-size': z.coerce.number().int().optional(),
  'quality-every': z.coerce.number().int().min(1).optional(),
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
      epochs: { type: 'string' }, patience: { type: 'string' }, 'image-size': { type: 'string' }, 'quality-every': { type: 'string' }, class: { type: 'string' }, json: { type: 'boolean' },
      technique: { type: 'string', multiple: true }, 'train-data': { type: 'string' }, synthetic: { type: 'string' }, 'mix-ratio': { type: 'string' },
      ...dashboardOptions,
    },
    strict: true,
  });
  // --technique giaem,dbscan and --technique giaem --technique dbscan both work.
  const { server, token, ...own } = values;
  const parsed = argsSchema.safeParse({ ...own, technique: values.technique?.flatMap((t) => t.split(',')) });
  const target = parseTarget({ server, token });
  if (!parsed.success || !target.success) {
    const lines = [...(parsed.error?.issues ?? []), ...(target.error?.issues ?? [])].map((i) => `  --${i.path.join('.')}: ${i.message}`);
    throw new Error(`bad arguments:\n${lines.join('\n')}\nusage: npm run train -- --model cnn|cvae|vae|gan [--class tumor|healthy] --preset smoke|quick|paper [--seed N] [--data NAME|PATH] [--epochs N] [--patience N] [--quality-every N]\n  [--technique giaem|dbscan|kmeans|global-kmeans ...] [--train-data real|synthetic|mixed --synthetic NAME|ID [--mix-ratio R]] [--json]\n  [--server URL --token mri_…]`);
  }
  return { args: parsed.data, target: target.data };
}

/** The synthetic dataset --synthetic names, among the dashboard's. */
async function syntheticDatasetId(dashboard: Dashboard, name: string): Promise<string> {
  const synthetic = (await dashboard.api.datasets.list.query()).filter((d) => d.kind === 'synthetic');
  const match = synthetic.find((d) => d.name === name) ?? synthetic.find((d) => d.id === name);
  if (!match) throw new Error(`no synthetic dataset named "${name}"; synthetic datasets: ${synthetic.map((d) => d.name).join(', ') || 'none yet (npm run generate)'}`);
  return match.id;
}

async function main() {
  const { args, target } = parseCli();
  const started = Date.now();
  await withDashboard(target, async (dashboard) => {
    // A path is imported first (a no-op when the same content is already stored).
    const importLocally = async (source: string) => {
      const { services } = dashboard.local!;
      const imported = await importDataset(services.db, services.dataDir, { source, onProgress: (phase, done, total) => progressBar(phase, done, total) });
      console.error(`dataset ${imported.dataset.name} (${imported.dataset.id}): ${imported.imported} images, ${imported.skipped} skipped`);
      return imported.dataset.id;
    };
    const datasetId = args.data ? await resolveDataset(dashboard, args.data, importLocally) : undefined;
    const synthetic = args.synthetic ? await syntheticDatasetId(dashboard, args.synthetic) : undefined;
    const overrides = { ...(args.epochs ? { epochs: args.epochs } : {}), ...(args.patience ? { patience: args.patience } : {}), ...(args['image-size'] ? { imageSize: args['image-size'] } : {}), ...(args['quality-every'] ? { qualityEvery: args['quality-every'] } : {}) };
    const run = await launchAndWatch(dashboard, async (api) => {
      const launched = await api.runs.launch.mutate({
        model: args.model, preset: args.preset, seed: args.seed, datasetId, imageClass: args.class, overrides: overrides as never,
        trainData: args['train-data'], syntheticDatasetId: synthetic, mixRatio: args['mix-ratio'], techniques: args.technique,
      });
      console.error(`run ${launched.id} queued (${args.model}, ${args.preset}, seed ${args.seed})${launched.launchedBy ? ` by ${launched.launchedBy}` : ''}`);
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
      const { accuracy, precision, recall, f1, confusion, bestEpoch, epochsTrained, stoppedEarly, mayNotHaveConverged, scores, trainImages, threads } = run.summary;
      const out = { ...base, trainData: run.trainData, trainImages, accuracy, precision, recall, f1, auroc: scores?.auroc, auprc: scores?.auprc, confusion, bestEpoch, epochsTrained, stoppedEarly, mayNotHaveConverged, threads };
      if (args.json) console.log(JSON.stringify(out));
      else console.log(`accuracy ${(accuracy * 100).toFixed(2)}%  precision ${(precision * 100).toFixed(2)}%  recall ${(recall * 100).toFixed(2)}%  F1 ${(f1 * 100).toFixed(2)}%  backend ${run.backend}  ${base.seconds.toFixed(1)} s`);
    }
  });
}

runCli(main);
