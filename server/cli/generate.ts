// `npm run generate -- --from <run id>[@epoch] [--from <run id>[@epoch]] [--n 1500] [--seed 0]
// [--name NAME] [--json] [--server URL --token T]`: draws N images per class from one or two generator runs (one per
// class; the best kept checkpoint by quality on validation unless @epoch is given) into a synthetic dataset version,
// through the same queue and worker as the dashboard, and prints its quality and privacy figures.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isSyntheticSummary } from '../../lib/contracts/events';
import { launchAndWatch, runCli } from './watch-run';
import { dashboardOptions, parseTarget, withDashboard } from './dashboard';

const USAGE = 'usage: npm run generate -- --from <generator run id>[@epoch] [--from <run id>[@epoch]] [--n N] [--seed N] [--name NAME] [--json] [--server URL --token mri_…]';

const argsSchema = z.object({
  from: z
    .array(z.string().regex(/^[\w-]+(@\d+)?$/, 'a run id, optionally followed by @epoch'))
    .min(1, 'name at least one generator run with --from')
    .max(2, 'at most two generator runs (one per class)'),
  n: z.coerce.number().int().min(8).max(20_000).default(1500),
  seed: z.coerce.number().int().min(0).default(0),
  name: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

function parseCli() {
  const { values } = parseArgs({
    options: { from: { type: 'string', multiple: true }, n: { type: 'string' }, seed: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' }, ...dashboardOptions },
    strict: true,
  });
  const { server, token, ...own } = values;
  const parsed = argsSchema.safeParse({ ...own, from: values.from ?? [] });
  const target = parseTarget({ server, token });
  if (!parsed.success || !target.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(target.error?.issues ?? [])];
    throw new Error(`bad arguments:\n${issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}`);
  }
  return { args: parsed.data, target: target.data };
}

async function main() {
  const { args, target } = parseCli();
  const started = Date.now();
  await withDashboard(target, async (dashboard) => {
    const generators = args.from.map((f) => {
      const [runId, epoch] = f.split('@');
      return { runId, ...(epoch ? { epoch: Number(epoch) } : {}) };
    });
    const run = await launchAndWatch(dashboard, async (api) => {
      const launched = await api.datasets.synthesize.mutate({ generators, perClass: args.n, seed: args.seed, name: args.name });
      console.error(`synthesis run ${launched.id} queued (${args.n} images per class from ${args.from.join(', ')})`);
      return launched;
    });
    if (run.status !== 'succeeded' || !run.summary || !isSyntheticSummary(run.summary)) throw new Error(`run ${run.id} ${run.status}: ${run.error ?? 'no result'}`);
    const s = run.summary;
    const out = {
      runId: run.id, dataset: s.datasetName, datasetId: s.datasetId, count: s.count, imageSize: s.imageSize, classCounts: s.classCounts,
      ...s.quality, backend: run.backend, seconds: (Date.now() - started) / 1000,
    };
    if (args.json) console.log(JSON.stringify(out));
    else {
      console.log(`dataset ${s.datasetName} (${s.datasetId}): ${s.count} images at ${s.imageSize} px`);
      console.log(`FID ${s.quality.fid.toFixed(2)}  KID ${s.quality.kid.toFixed(4)}  precision ${(s.quality.precision * 100).toFixed(1)}%  recall ${(s.quality.recall * 100).toFixed(1)}%  memorisation ratio ${s.quality.memorizationRatio.toFixed(3)}${s.quality.copyingLikely ? '  COPYING LIKELY' : ''}${s.quality.modeCollapseLikely ? '  MODE COLLAPSE LIKELY' : ''}`);
    }
  });
}

runCli(main);
