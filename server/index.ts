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
import { BullmqRunQueue, onTicketLost } from './queue/bullmq-queue';
import type { RunQueue } from './queue/run-queue';
import type { Ticket } from '../lib/contracts/team-queue';
import { getRun } from '../db/queries/runs';
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
import { processAlive } from './process-alive';
import { handleWorkerFiles } from './http/worker-files';
import { DataDirArtifactStore } from './artifacts/store';

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

  // Team mode (the dashboard with REDIS_URL): BullMQ dispatches to agents; else the embedded queue.
  const teamQueue =
    env.REDIS_URL && origin === 'dashboard'
      ? new BullmqRunQueue(new SqliteRunQueue(db), {
          redisUrl: env.REDIS_URL,
          prefix: env.REDIS_PREFIX,
          gpuAttached: () => hub.gpuWorkersAttached(),
          ticketLost: (ticket, reason) => void ticketLost(ticket, reason).catch((err) => log(`handling the lost ticket of run ${ticket.runId} failed: ${err instanceof Error ? err.message : err}`)),
          log,
        })
      : null;
  if (teamQueue) await waitForRedis(teamQueue, env.REDIS_URL ?? '', log);
  const queue: RunQueue = teamQueue ?? new SqliteRunQueue(db);
  const ticketLost = async (ticket: Ticket, reason: string) => {
    if (!teamQueue) return;
    const outcome = await onTicketLost(ticket, reason, { run: (id) => getRun(db, id), retry: (id, why) => core.runs.retry(id, why), reissue: (row) => teamQueue.ticket(row) });
    if (outcome !== 'ignored') log(`ticket ${ticket.runId}.${ticket.attempt}: ${reason}; run ${outcome}`);
  };
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
    gpuWorkersAttached: () => hub.gpuWorkersAttached(),
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
  const services: AppServices = { db, dataDir: env.DATA_DIR, origin, defaultDatasetId: demo.id, runs: core.runs, activity: core.activity, scheduler, hub, workers: core.workers, studies, auth, publicUrl: site.publicUrl, uploadMaxFileBytes: env.UPLOAD_MAX_FILE_MB * 1024 ** 2, log, deletions: core.deletions, dispatch: teamQueue ? { mode: 'team', redis: redactUrl(env.REDIS_URL ?? ''), localWorkers: env.MAX_WORKERS } : { mode: 'embedded', localWorkers: env.MAX_WORKERS }, limits: { minFreeBytes: env.MIN_FREE_MB * MB, maxQueuedPerUser: env.MAX_QUEUED_PER_USER } };

  const artifactStore = new DataDirArtifactStore(env.DATA_DIR);
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
    workerFiles: (req, res) =>
      handleWorkerFiles(req, res, {
        db,
        dataDir: env.DATA_DIR,
        store: artifactStore,
        runs: core.runs,
        authenticate: (r) => hub.workerRequestToken(r),
        tokenOfWorker: (id) => hub.tokenOfWorker(id),
        maxBundleBytes: env.MAX_BUNDLE_MB * MB,
        log,
      }),
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
    core.workers.markStaleDisconnected(processAlive);
    await scheduler.recoverInterruptedRuns();
    if (teamQueue) log(`team mode: runs are dispatched through BullMQ on ${redactUrl(env.REDIS_URL ?? '')} (${await teamQueue.reconcile(origin)} queued); worker agents join with npm run worker -- --server ${site.publicUrl} --token <worker token>`);
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
      await teamQueue?.close();
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

/** A Redis URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured Redis';
  }
}

/** Team mode needs Redis from the start: a clear error rather than runs that never leave the queue. */
async function waitForRedis(queue: BullmqRunQueue, url: string, log: (line: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cannot reach Redis at ${redactUrl(url)} within 15 s: start redis-server, or unset REDIS_URL to use the embedded queue`)), 15_000);
  });
  try {
    await Promise.race([queue.ready(), timeout]);
  } catch (err) {
    await queue.close().catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  log(`connected to Redis at ${redactUrl(url)}`);
}

async function prepareNext(env: Env) {
  const { default: next } = await import('next');
  const dev = env.NODE_ENV === 'development';
  const app = next({ dev, dir: repoRoot, hostname: env.HOST, port: env.PORT });
  await app.prepare();
  return app.getRequestHandler();
}
