// `npm run loadtest -- --viewers N --rate R --seconds T [--batch-ms B] [--json]`: synthetic load
// through a real headless dashboard on this machine (server/loadtest/run.ts). Bounded and local:
// it starts its own server on a fresh DATA_DIR on loopback and stops by itself. With --json the
// last line is one JSON object of the figures.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { onInterrupt, runCli } from './watch-run';
import { loadTestOptionsSchema, runLoadTest, type LoadTestResult } from '../loadtest/run';

const argsSchema = loadTestOptionsSchema.extend({ json: z.boolean().default(false) });
const USAGE = 'usage: npm run loadtest -- --viewers N (1-1000) --rate R (points/s, 1-20000) --seconds T (1-600) [--batch-ms B (10-1000, default 250)] [--json]';

function parseCli() {
  const { values } = parseArgs({
    options: { viewers: { type: 'string' }, rate: { type: 'string' }, seconds: { type: 'string' }, 'batch-ms': { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const parsed = argsSchema.safeParse({ ...values, batchMs: values['batch-ms'] });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  --${String(i.path[0]) === 'batchMs' ? 'batch-ms' : i.path.join('.')}: ${i.message}`);
    throw new Error(`bad arguments:\n${lines.join('\n')}\n${USAGE}`);
  }
  return parsed.data;
}

function summary(r: LoadTestResult): string {
  return [
    `Load test: ${r.note}.`,
    `${r.viewers} viewers, ${r.rate} points/s for ${r.seconds} s (a batch every ${r.batchMs} ms): sent ${r.sent} in ${r.sendSeconds} s`,
    `stored in SQLite ${r.persisted} (lost ${r.lost}); every viewer received at least ${r.deliveredMin} (missing in all ${r.missingTotal}, out of order ${r.outOfOrder}, viewers dropped ${r.viewersDisconnected})`,
    `latency from the worker's emit to a viewer's receipt: p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms`,
    `server memory (RSS) ${r.serverRssStartMb} MB before, peak ${r.serverRssPeakMb} MB, ${r.serverRssEndMb} MB at the end; CPU: server ${r.serverCpuPercent} %, load generator ${r.generatorCpuPercent} % (of one core)`,
  ].join('\n');
}

async function main() {
  const { json, ...options } = parseCli();
  // Ctrl-C also reaches the server process (same process group), which stops on its own.
  onInterrupt(() => {
    console.error('[loadtest] interrupted: no figures');
    process.exit(130);
  });
  const result = await runLoadTest(options, (line) => console.error(`[loadtest] ${line}`));
  console.log(json ? JSON.stringify(result) : summary(result));
}

runCli(main);
