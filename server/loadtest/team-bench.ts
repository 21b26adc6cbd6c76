// `npm run bench -- --only team`: what team mode costs against the embedded queue on one machine.
//  - fetch: the demo dataset (3,000 images at 128x128) fetched by content hash into a fresh agent
//    cache over HTTP and verified, three times (median);
//  - overhead: the same smoke BrainCNN run launched and waited for, one after another, on the
//    embedded queue (a local worker) and in team mode (a real redis-server and one agent): the
//    wall time from launch to success beside the run's own training time. The agent's first run
//    includes fetching the dataset (cold); the later ones find it cached (warm).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../api/root';
import { startServer, type RunningServer } from '../index';
import { createWorkerToken } from '../auth/tokens';
import { startRedis } from './redis-process';
import { startAgent } from './agent-process';
import { DatasetCache } from '../../workers/agent/dataset-cache';
import { ServerFiles } from '../../workers/agent/server-files';
import type { RunView } from '../../lib/contracts/events';

type Report = (row: Record<string, unknown>) => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function apiOf(server: RunningServer) {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/api/trpc`, headers: server.system.headers })] });
}

/** Launches a smoke CNN and waits for it: wall seconds from launch to success, and its own. */
async function timedRun(server: RunningServer, seed: number): Promise<{ wall: number; training: number; run: RunView }> {
  const api = apiOf(server);
  const started = performance.now();
  const launched = await api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed });
  for (;;) {
    const { run } = await api.runs.get.query({ id: launched.id });
    if (run.status === 'succeeded') {
      const summary = run.summary as { seconds: number };
      return { wall: (performance.now() - started) / 1000, training: summary.seconds, run };
    }
    if (run.status === 'failed' || run.status === 'cancelled') throw new Error(`bench run ${run.id} ${run.status}: ${run.error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchTeam(report: Report, runs = 3): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-team-'));
  const dataDir = path.join(work, 'data');
  const log = () => {};
  const redis = await startRedis();
  try {
    // Embedded first (it also makes the demo dataset), then team mode on the same DATA_DIR.
    const embedded = await startServer({ withNext: false, env: { PORT: 0, DATA_DIR: dataDir, MAX_WORKERS: 1 }, log });
    const local: Awaited<ReturnType<typeof timedRun>>[] = [];
    try {
      for (let i = 0; i < runs; i++) local.push(await timedRun(embedded, 11 + i));
    } finally {
      await embedded.close();
    }

    const team = await startServer({ withNext: false, env: { PORT: 0, DATA_DIR: dataDir, MAX_WORKERS: 0, REDIS_URL: redis.url, REDIS_PREFIX: 'bench' }, log });
    try {
      const demo = (await apiOf(team).datasets.list.query()).find((d) => d.kind === 'demo') ?? (await apiOf(team).datasets.list.query())[0];
      const token = createWorkerToken(team.services.db, null, 'bench').token;

      const fetches: { ms: number; bytes: number }[] = [];
      for (let i = 0; i < 3; i++) {
        const cacheDir = path.join(work, `fetch-${i}`);
        const files = new ServerFiles(team.url, token, 'bench-fetch', path.join(cacheDir, 'tmp'));
        const got = await new DatasetCache(path.join(cacheDir, 'datasets'), 1e12, files, () => {}).acquire(demo.contentHash);
        fetches.push({ ms: got.ms, bytes: got.bytes });
      }
      const fetchMs = median(fetches.map((f) => f.ms));
      const mb = fetches[0].bytes / 1e6;
      report({ bench: 'team-fetch', dataset: demo.id, images: demo.count, imageSize: demo.imageSize, mb: +mb.toFixed(1), ms: fetchMs, mbPerSecond: +(mb / (fetchMs / 1000)).toFixed(1), verified: 'sha256 of the bundle and the dataset content hash' });

      const agent = startAgent({ server: team.url, token, id: 'bench-agent', redisUrl: redis.url, redisPrefix: 'bench' });
      try {
        await agent.waitFor(/connected to .*team mode/, 60_000);
        const remote: Awaited<ReturnType<typeof timedRun>>[] = [];
        for (let i = 0; i < runs; i++) remote.push(await timedRun(team, 11 + i));
        const overhead = (rows: typeof local) => rows.map((r) => r.wall - r.training);
        const sameAccuracy = remote.every((r, i) => (r.run.summary as { accuracy: number }).accuracy === (local[i].run.summary as { accuracy: number }).accuracy);
        report({
          bench: 'team-overhead', model: 'cnn', preset: 'smoke', runs,
          embeddedWallSeconds: +median(local.map((r) => r.wall)).toFixed(2),
          embeddedOverheadSeconds: +median(overhead(local)).toFixed(2),
          teamColdWallSeconds: +remote[0].wall.toFixed(2),
          teamWarmWallSeconds: +median(remote.slice(1).map((r) => r.wall)).toFixed(2),
          teamWarmOverheadSeconds: +median(overhead(remote.slice(1))).toFixed(2),
          overheadPerRunSeconds: +(median(overhead(remote.slice(1))) - median(overhead(local))).toFixed(2),
          sameAccuracyPerSeed: sameAccuracy,
        });
      } finally {
        await agent.stop();
      }
    } finally {
      await team.close();
    }
  } finally {
    await redis.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
