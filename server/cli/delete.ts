// `npm run delete -- run|study|dataset <id> [--with-dependents] [--json] [--server URL --token T]`:
// deletes a run, a study or a dataset with its files, through the same procedures as the
// dashboard's Delete buttons: on this machine's DATA_DIR (an embedded server, as the command line:
// every right) or on a running dashboard as the token's owner (editors delete what they launched or
// imported). What would go is listed first; anything depending on it is refused unless
// --with-dependents is given.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runCli } from './watch-run';
import { dashboardOptions, parseTarget, withDashboard, type Api } from './dashboard';
import { countItems, deletableKinds, deletionTargetSchema, type DeletableKind, type DeletionItem } from '../../lib/contracts/deletion';

const USAGE = 'usage: npm run delete -- run|study|dataset <id> [--with-dependents] [--json] [--server URL --token mri_…]';

const argsSchema = z.object({
  kind: z.enum(deletableKinds, { error: 'say what to delete: run, study or dataset' }),
  id: deletionTargetSchema.shape.id,
  'with-dependents': z.boolean().default(false),
  json: z.boolean().default(false),
});

function parseCli() {
  const { values, positionals } = parseArgs({ options: { 'with-dependents': { type: 'boolean' }, json: { type: 'boolean' }, ...dashboardOptions }, allowPositionals: true, strict: true });
  const { server, token, ...own } = values;
  const parsed = argsSchema.safeParse({ ...own, kind: positionals[0], id: positionals[1] });
  const target = parseTarget({ server, token });
  if (!parsed.success || !target.success || positionals.length > 2) {
    const issues = [...(parsed.error?.issues ?? []), ...(target.error?.issues ?? [])].map((i) => `  ${i.path.join('.')}: ${i.message}`);
    if (positionals.length > 2) issues.push(`  unexpected arguments: ${positionals.slice(2).join(' ')}`);
    throw new Error(`bad arguments:\n${issues.join('\n')}\n${USAGE}`);
  }
  return { args: parsed.data, target: target.data };
}

const routerOf = (api: Api, kind: DeletableKind) => (kind === 'run' ? api.runs : kind === 'study' ? api.studies : api.datasets);
const line = (item: DeletionItem) => `  ${item.kind} ${item.id}: ${item.label}`;

async function main() {
  const { args, target } = parseCli();
  const cascade = args['with-dependents'];
  await withDashboard(target, async ({ api }) => {
    const router = routerOf(api, args.kind);
    const plan = await router.deletionPlan.query({ id: args.id });
    const going = cascade ? plan.dependents : [];
    console.error(`deleting ${line(plan.target).trim()}${going.length ? `, with ${countItems(going)}:` : ''}`);
    for (const item of going) console.error(line(item));
    if (!cascade && plan.dependents.length) console.error(`${plan.dependentsOptional ? 'kept' : 'depending on it'} (${countItems(plan.dependents)}; --with-dependents deletes them too):\n${plan.dependents.map(line).join('\n')}`);
    const deleted = await router.delete.mutate({ id: args.id, cascade });
    if (args.json) console.log(JSON.stringify({ deleted: { kind: args.kind, id: args.id }, ...deleted }));
    else console.log(`deleted ${args.kind} ${args.id}: ${deleted.runs} runs, ${deleted.studies} studies, ${deleted.datasets} datasets, with their files`);
  });
}

runCli(main);
