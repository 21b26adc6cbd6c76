// The one server process: an http.Server hosting the Next.js handler, tRPC at /api/trpc and
// socket.io, plus the scheduler. `startServer` is also used headless (no Next) by the CLI and tests.
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { toNodeHandler } from 'better-auth/node';
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
import { createDispatch, requestActor, type Credentials } from './http/dispatch';
import { createAuth } from './auth/auth';
import { loadAuthSecret } from './auth/secret';
import { SystemCredential, SYSTEM_ACTOR } from './auth/actor';
import { ensureFirstAdminInvite } from './auth/invites';
import { checkReachability, internalUrl, sitePolicy } from './auth/site';
import { bearerToken, REFUSED_TOKEN } from './auth/tokens';
import type { AppServices, Context } from './api/trpc';
import { internalErrorLine, MAX_TRPC_BODY_BYTES } from './api/errors';
import { lockDataDir } from './data-dir-lock';
import { MB } from './services/limits';

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
  /** Where people open it (PUBLIC_URL, or the loopback address); invitation links start here. */
  publicUrl: string;
  port: number;
  services: AppServices;
  /** For this process's own command-line code only: a tRPC context acting as the system actor,
   * and the per-process credential its socket.io client (`auth`) and HTTP requests (`headers`)
   * present to the in-process server over loopback. Never printed, stored or sent elsewhere. */
  system: { context: Context; socketAuth: { system: string }; headers: Record<string, string> };
  close: () => Promise<void>;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const env: Env = { ...loadEnv(), ...opts.env };
  checkReachability(env);
  const log = opts.log ?? ((line: string) => console.log(`[server] ${line}`));
  const origin = opts.origin ?? 'dashboard';
  // One dashboard per DATA_DIR (a second one refuses, naming the first); CLI processes share it.
  const dataDirLock = origin === 'dashboard' ? await lockDataDir(env.DATA_DIR, log) : null;
  const db: Db = openDb(env.DATA_DIR);
  const demo = await ensureDemoDataset(db, env.DATA_DIR, env.DEMO_PER_CLASS, log);
  const workerToken = env.WORKER_TOKEN ?? crypto.randomBytes(24).toString('hex');
  const system = new SystemCredential();

  const nextHandler = opts.withNext ? await prepareNext(env) : null;
  // Listening first gives the port (PORT=0 picks one), which the allowed hosts and the auth
  // base URL name; requests that arrive before the rest is wired are told to retry.
  let dispatch: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | null = null;
  const httpServer = http.createServer((req, res) => {
    if (!dispatch) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      return void res.end(JSON.stringify({ error: 'the server is starting; retry in a moment' }));
    }
    dispatch(req, res).catch((err) => {
      const errorId = crypto.randomBytes(4).toString('hex');
      log(`${req.method} ${req.url?.slice(0, 200)} failed (error ${errorId}): ${err instanceof Error ? (err.stack ?? err.message) : err}`);
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `the request failed on the server (error ${errorId}); an admin can find the details in the server log` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(env.PORT, env.HOST, () => resolve());
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  const url = internalUrl(env.HOST, port);
  dataDirLock?.describe(url);
  const site = sitePolicy(env, port);
  const auth = createAuth({ db, secret: loadAuthSecret(env.DATA_DIR, env.AUTH_SECRET), publicUrl: site.publicUrl, trustedOrigins: site.allowedOrigins });

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
      runLog: (runId, level, message) => hub.runLog(runId, level, message),
      rewound: (runId, step) => hub.publishRewound(runId, step),
    },
    runOptions: { leaseMs: env.RUN_LEASE_SECONDS * 1000, maxAttempts: env.RUN_ATTEMPTS },
    deleted: (gone) => hub.publishDeleted(gone),
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
    isDrained: (workerId) => core.workers.isDrained(workerId),
    adoptFrom: origin === 'dashboard' ? (from) => studies.adoptStudies(from) : undefined,
  });
  const hub = new Hub(httpServer, { db, auth, site, system, workerToken, scheduler, services: core, log });
  const studies = new StudyManager(db, env.DATA_DIR, origin, core.runs, { studyUpdated: (id) => hub.publishStudy(id), log });
  hub.setRunListener((row) => studies.onRunChanged(row));
  const services: AppServices = { db, dataDir: env.DATA_DIR, origin, defaultDatasetId: demo.id, runs: core.runs, activity: core.activity, scheduler, hub, workers: core.workers, studies, auth, publicUrl: site.publicUrl, uploadMaxFileBytes: env.UPLOAD_MAX_FILE_MB * 1024 ** 2, log, deletions: core.deletions, limits: { minFreeBytes: env.MIN_FREE_MB * MB, maxQueuedPerUser: env.MAX_QUEUED_PER_USER } };

  const credentials: Credentials = { db, auth, system };
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    maxBodySize: MAX_TRPC_BODY_BYTES,
    onError: ({ path, error }) => {
      const line = internalErrorLine(path, error);
      if (line) log(line);
    },
    createContext: async ({ req, res }): Promise<Context> => ({
      ...services,
      actor: await requestActor(req, credentials),
      refusal: bearerToken(req.headers.authorization) !== null ? REFUSED_TOKEN : undefined,
      setCookies: (cookies) => cookies.forEach((c) => res.appendHeader('set-cookie', c)),
    }),
  });
  dispatch = createDispatch(site, credentials, {
    trpc: trpcHandler,
    auth: toNodeHandler(auth),
    upload: (req, res, actor) => handleUpload(req, res, services, actor),
    datasetFile: (req, res) => handleDatasetFile(req, res, services),
    runImage: (req, res) => handleRunImage(req, res, services),
    tableExport: (req, res) => handleTableExport(req, res, services),
    pages: nextHandler,
  });

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
    ensureFirstAdminInvite(db, site.publicUrl, log);
  }
  await studies.resumeStudies();
  foreign.start();
  // Leases are checked a few times per lease (every 15 s at most).
  scheduler.startSweeping(Math.min(15_000, Math.max(1000, (env.RUN_LEASE_SECONDS * 1000) / 3)));
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
      await dataDirLock?.release();
    })());
  const systemContext: Context = { ...services, actor: SYSTEM_ACTOR, setCookies: () => {} };
  return {
    url,
    publicUrl: site.publicUrl,
    port,
    services,
    system: { context: systemContext, socketAuth: { system: system.token }, headers: { [SystemCredential.header]: system.token } },
    close,
  };
}

async function prepareNext(env: Env) {
  const { default: next } = await import('next');
  const dev = env.NODE_ENV === 'development';
  const app = next({ dev, dir: repoRoot, hostname: env.HOST, port: env.PORT });
  await app.prepare();
  return app.getRequestHandler();
}
