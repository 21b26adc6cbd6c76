// The one server process: an http.Server hosting the Next.js handler, tRPC at /api/trpc and
// socket.io, plus the scheduler. `startServer` is also used headless (no Next) by the CLI and tests.
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { openDb, type Db } from '../db/client';
import { loadEnv, type Env } from '../lib/env';
import { ensureDemoDataset } from './datasets/demo';
import { removeStaleStaging } from './datasets/synthesize';
import { StudyManager } from './studies/manager';
import { SqliteRunQueue } from './queue/sqlite-queue';
import { createServices } from './services';
import { handleTableExport } from './http/exports';
import { ForeignRunWatcher } from './realtime/foreign-runs';
import { Scheduler } from './scheduler/scheduler';
import { Hub } from './realtime/hub';
import { appRouter } from './api/root';
import { handleDatasetFile, handleRunImage, handleUpload } from './http/files';
import type { AppServices } from './api/trpc';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface StartOptions {
  env?: Partial<Env>;
  /** Serve the web pages (needs `next build` first unless dev). */
  withNext?: boolean;
  /** Which queued runs this server hands out: the dashboard's, or one CLI invocation's. */
  origin?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  services: AppServices;
  close: () => Promise<void>;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const env: Env = { ...loadEnv(), ...opts.env };
  const log = opts.log ?? ((line: string) => console.log(`[server] ${line}`));
  const origin = opts.origin ?? 'dashboard';
  const db: Db = openDb(env.DATA_DIR);
  const demo = await ensureDemoDataset(db, env.DATA_DIR, env.DEMO_PER_CLASS, log);
  const workerToken = env.WORKER_TOKEN ?? crypto.randomBytes(24).toString('hex');

  const nextHandler = opts.withNext ? await prepareNext(env) : null;
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    createContext: () => services,
  });
  const httpServer = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/trpc/')) return void trpcHandler(req, res);
    if (req.url === '/api/health') return void res.end(JSON.stringify({ ok: true }));
    if (req.url?.startsWith('/api/datasets/upload')) return void handleUpload(req, res, services);
    if (req.url?.startsWith('/api/datasets/')) return void handleDatasetFile(req, res, services);
    if (req.url?.startsWith('/api/runs/')) return handleRunImage(req, res, services);
    if (req.url?.startsWith('/api/studies/') || req.url?.startsWith('/api/results/')) return void handleTableExport(req, res, services);
    if (nextHandler) return void nextHandler(req, res);
    res.statusCode = 404;
    res.end('web pages are not served by this process');
  });

  let url = '';
  // The services change state and tell the hub and the scheduler; those are made just below.
  const queue = new SqliteRunQueue(db);
  const core = createServices({
    db,
    dataDir: env.DATA_DIR,
    origin,
    queue,
    hooks: {
      publishRun: (row) => hub.publishRun(row),
      announce: (event) => hub.announce(event),
      cancelOnWorker: (row) => hub.cancelOnWorker(row),
      poke: () => scheduler.poke(),
    },
    concurrentRuns: () => scheduler.concurrentRuns(),
  });
  const scheduler = new Scheduler({
    queue,
    runs: core.runs,
    origin,
    maxWorkers: env.MAX_WORKERS,
    workerToken,
    workerEnv: { DATA_DIR: env.DATA_DIR, TFJS_BACKEND: env.TFJS_BACKEND },
    serverUrl: () => url,
    log,
  });
  const hub = new Hub(httpServer, { workerToken, scheduler, services: core, log });
  const studies = new StudyManager(db, env.DATA_DIR, origin, core.runs, { studyUpdated: (id) => hub.publishStudy(id), log });
  hub.setRunListener((row) => studies.onRunChanged(row));
  const services: AppServices = { db, dataDir: env.DATA_DIR, origin, defaultDatasetId: demo.id, runs: core.runs, scheduler, hub, studies };

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(env.PORT, env.HOST, () => resolve());
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`;
  // The dashboard also shows, live, what command-line processes train on the same DATA_DIR; every
  // process notices its runs cancelled from another one.
  const foreign = new ForeignRunWatcher(db, origin, {
    io: hub.io,
    relayForeign: origin === 'dashboard',
    cancelOnWorker: (row) => hub.cancelOnWorker(row),
    publishRun: (row) => hub.publishRun(row),
  });
  if (origin === 'dashboard') {
    await scheduler.recoverInterruptedRuns();
    removeStaleStaging(db, env.DATA_DIR);
  }
  foreign.start();
  scheduler.poke();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      foreign.stop();
      await scheduler.stop();
      await hub.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      db.$client.close();
    })());
  return { url, port, services, close };
}

async function prepareNext(env: Env) {
  const { default: next } = await import('next');
  const dev = env.NODE_ENV === 'development';
  const app = next({ dev, dir: repoRoot, hostname: env.HOST, port: env.PORT });
  await app.prepare();
  return app.getRequestHandler();
}
