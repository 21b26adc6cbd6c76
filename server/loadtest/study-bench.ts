// `npm run bench -- --only study`: the one-seed `quick` Table 1 study's wall time on the demo data
// (issue 17's target: under 10 minutes here), with the run-seconds it used and its cells. Long
// (about 20 minutes on 2 cores), so only run when asked for by name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../api/root';
import { startServer } from '../index';

type Report = (row: Record<string, unknown>) => void;

export async function benchStudy(report: Report): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-study-'));
  const server = await startServer({ withNext: false, env: { PORT: 0, DATA_DIR: dataDir }, log: () => {} });
  try {
    const api = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/api/trpc`, headers: server.system.headers })] });
    const started = performance.now();
    const study = await api.studies.launch.mutate({ template: 'table1', preset: 'quick', seeds: 1 });
    for (;;) {
      const view = await api.studies.get.query({ id: study.id });
      if (view.status !== 'running') {
        const wall = (performance.now() - started) / 1000;
        const runs = await api.runs.list.query({});
        const mine = runs.filter((r) => view.nodes.some((n) => n.runId === r.id));
        const runSeconds = mine.reduce((sum, r) => sum + ((r.finishedAt ?? 0) - (r.startedAt ?? 0)) / 1000, 0);
        report({ bench: 'study', template: 'table1', preset: 'quick', seeds: 1, status: view.status, runs: mine.length, wallSeconds: Math.round(wall), runSeconds: Math.round(runSeconds), cells: view.table.length, targetSeconds: 600 });
        return;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
