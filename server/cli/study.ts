// `npm run study -- --template table1 --preset quick --seeds 3 [--data NAME] [--no-sweep]
// [--per-class N] [--json] [--server URL --token T]`: runs a whole study (the paper's Table 1
// pipeline) without a browser, through the same DAG, queue and workers as the dashboard (an
// embedded one, or a running one as the token's owner); prints the table, and with --json a last
// line holding the cells.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { presetNames } from '../../lib/contracts/run-config';
import { studyTemplates } from '../../lib/contracts/study';
import type { StudyView } from '../../lib/contracts/study';
import { progressBar } from './progress';
import { orderColumns } from '../../lib/stats/table';
import { onInterrupt, runCli } from './watch-run';
import { dashboardOptions, parseTarget, resolveDataset, withDashboard } from './dashboard';

const USAGE = 'usage: npm run study -- --template table1 --preset smoke|quick|paper [--seeds N] [--data NAME] [--no-sweep] [--per-class N] [--json] [--server URL --token mri_…]';

const argsSchema = z.object({
  template: z.enum(studyTemplates).default('table1'),
  preset: z.enum(presetNames).default('quick'),
  seeds: z.coerce.number().int().min(1).max(10).default(3),
  data: z.string().min(1).optional(),
  'no-sweep': z.boolean().default(false),
  'per-class': z.coerce.number().int().min(8).max(20_000).optional(),
  name: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

function parseCli() {
  const { values } = parseArgs({
    options: {
      template: { type: 'string' }, preset: { type: 'string' }, seeds: { type: 'string' }, data: { type: 'string' }, 'no-sweep': { type: 'boolean' },
      'per-class': { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' }, ...dashboardOptions,
    },
    strict: true,
  });
  const { server, token, ...own } = values;
  const parsed = argsSchema.safeParse(own);
  const target = parseTarget({ server, token });
  if (!parsed.success || !target.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(target.error?.issues ?? [])];
    throw new Error(`bad arguments:\n${issues.map((i) => `  --${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}`);
  }
  return { args: parsed.data, target: target.data };
}

const pct = (v: number | null) => (v === null ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)}%`);

function printTable(view: StudyView): void {
  const rows = [...new Set(view.table.map((c) => `${c.model}${c.technique ? ` (${c.technique})` : ''}\u0000${c.model}\u0000${c.technique}`))].sort();
  const columns = orderColumns(view.table.map((c) => c.trainData));
  for (const metric of ['accuracy', 'f1', 'auroc']) {
    console.log(`\n${metric} (mean [95% bootstrap CI], n seeds; * = differs from real, Holm-corrected paired t-test)`);
    console.log(`${''.padEnd(26)}${columns.map((c) => c.padEnd(28)).join('')}`);
    for (const row of rows) {
      const [label, model, technique] = row.split('\u0000');
      const cells = columns.map((col) => {
        const c = view.table.find((x) => x.model === model && x.technique === technique && x.trainData === col && x.metric === metric);
        return (c ? `${pct(c.mean)} [${pct(c.ciLow).trim()}, ${pct(c.ciHigh).trim()}] n=${c.n}${c.vsReal?.significant ? '*' : ''}${c.chanceLevel ? '!' : ''}` : '-').padEnd(28);
      });
      console.log(`${label.padEnd(26)}${cells.join('')}`);
    }
  }
}

async function main() {
  const { args, target } = parseCli();
  const started = Date.now();
  await withDashboard(target, async (dashboard) => {
    const { api } = dashboard;
    const notImported = (source: string): Promise<string> => Promise.reject(new Error(`no dataset named "${source}" (import it first with npm run import)`));
    const datasetId = args.data ? await resolveDataset(dashboard, args.data, notImported) : undefined;
    const socket = await dashboard.live();
    let study = (await api.studies.launch.mutate({ template: args.template, preset: args.preset, seeds: args.seeds, datasetId, sweep: !args['no-sweep'], perClass: args['per-class'], name: args.name })) as StudyView;
    console.error(`study ${study.id} (${study.name}): ${study.nodes.length} steps`);
    const interrupt = () => {
      console.error('\ninterrupted: cancelling the study');
      void api.studies.cancel.mutate({ id: study.id }).catch((err: unknown) => console.error(`could not cancel: ${err instanceof Error ? err.message : err}`)).then(() => dashboard.local?.close()).finally(() => process.exit(130));
    };
    onInterrupt(interrupt);
    const report = (view: StudyView) => {
      const c = view.counts;
      progressBar('steps', c.succeeded + c.failed + c.blocked + c.cancelled, view.nodes.length);
    };
    while (study.status === 'running') {
      report(study);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        socket.once('study:updated', () => (clearTimeout(timer), resolve()));
      });
      study = (await api.studies.get.query({ id: study.id })) as StudyView;
    }
    report(study);
    socket.close();
    printTable(study);
    const problems = study.nodes.filter((n) => n.state !== 'succeeded');
    for (const n of problems) console.error(`${n.key}: ${n.state}${n.reason ? ` (${n.reason})` : ''}`);
    const reused = study.nodes.filter((n) => n.reused).length;
    console.error(`\nstudy ${study.id} ${study.status} in ${((Date.now() - started) / 1000).toFixed(0)} s (${reused} of ${study.nodes.length} steps reused earlier runs)`);
    if (args.json) {
      console.log(JSON.stringify(study.table.map(({ model, technique, trainData, metric, mean, ciLow, ciHigh, n }) => ({ model, technique, trainData, metric, mean, ciLow, ciHigh, n }))));
    }
    if (study.status !== 'succeeded') throw new Error(`study ${study.id} ${study.status}: ${problems.length} steps did not succeed; retry it from the dashboard (/studies/${study.id})`);
  });
}

runCli(main);
