// A worker agent: trains runs for a dashboard from any machine, sharing no disk with it.
//   npm run worker -- --server https://lab.example.org --token mrw_…   (REDIS_URL in team mode)
//   npm run worker -- --check [--json]                                  (what this machine would use)
// It connects to the server's "/workers" namespace with a worker token (People page), reports its
// backend, device, memory and threads, and takes runs: from Redis tickets (BullMQ) when REDIS_URL
// is set, else by asking the server. Each run trains in a child process (run-remote.ts) on
// datasets fetched by content hash into a local cache; checkpoints, resume state and synthetic
// datasets are uploaded as verified bundles. It reconnects after a network blip (its runs are
// queued again by the server and resume from their last uploaded epoch), and exits when its
// token is refused.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { Worker, DelayedError, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { initEngine } from '../engine/backend';
import { jobSchema, WORKER_HEARTBEAT_MS, type Job } from '../../lib/contracts/events';
import { TEAM_QUEUES, TICKET_LOCK_MS, TICKET_STALLED_CHECK_MS, ticketSchema } from '../../lib/contracts/team-queue';
import type { WorkerSocket } from '../link/point-buffer';
import { trainThreads } from '../parallel/threads';
import { describeMachine } from './capabilities';
import { checkMain } from './check';
import { DatasetCache } from './dataset-cache';
import { ServerFiles } from './server-files';
import { startRemoteRun, type RemoteRun } from './run-remote';

const optionsSchema = z.object({
  server: z.url({ protocol: /^https?$/, error: 'give the dashboard\'s address with --server (or SERVER_URL), such as https://lab.example.org' }),
  token: z.string({ error: 'give a worker token with --token (or WORKER_TOKEN); an admin makes one on the People page' }).min(16, 'the worker token is too short'),
  id: z.string().regex(/^[\w.-]{1,64}$/, 'use at most 64 letters, digits, . _ -'),
  cache: z.string().min(1),
  cacheMb: z.coerce.number().int().min(64, 'the cache needs at least 64 MB').max(10_000_000),
  concurrency: z.coerce.number().int().min(1).max(16),
  threads: z.coerce.number().int().min(1).max(256).optional(),
  redisUrl: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL' }).optional(),
  redisPrefix: z.string().regex(/^[\w-]{1,32}$/),
});
type Options = z.infer<typeof optionsSchema>;

function readOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      id: { type: 'string' },
      cache: { type: 'string' },
      'cache-mb': { type: 'string' },
      concurrency: { type: 'string' },
      threads: { type: 'string' },
    },
    strict: true,
  });
  const env = process.env;
  const parsed = optionsSchema.safeParse({
    server: values.server ?? env.SERVER_URL,
    token: values.token ?? env.WORKER_TOKEN,
    id: values.id ?? env.WORKER_ID ?? `agent-${os.hostname()}-${process.pid}`.slice(0, 64),
    cache: values.cache ?? env.WORKER_CACHE ?? path.join(os.homedir(), '.cache', 'mri-worker'),
    cacheMb: values['cache-mb'] ?? env.WORKER_CACHE_MB ?? 20_480,
    concurrency: values.concurrency ?? env.WORKER_CONCURRENCY ?? 1,
    threads: values.threads ?? env.TRAIN_THREADS,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX ?? 'mri',
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'option'}: ${i.message}`).join('\n'));
  return parsed.data;
}

class UsageError extends Error {}

async function agent(opts: Options): Promise<void> {
  const log = (line: string) => console.error(`[agent ${opts.id}] ${line}`);
  const engine = await initEngine();
  const capabilities = await describeMachine(engine, { concurrency: opts.concurrency, kind: 'agent', threads: opts.threads });
  log(`backend ${engine.backend} on ${capabilities.device}; ${capabilities.threads} threads, ${(capabilities.memoryMb / 1024).toFixed(1)} GB; ${opts.concurrency} run(s) at once; cache ${opts.cache} (cap ${opts.cacheMb} MB)`);

  const files = new ServerFiles(opts.server, opts.token, opts.id, path.join(opts.cache, 'tmp'));
  const cache = new DatasetCache(path.join(opts.cache, 'datasets'), opts.cacheMb * 1024 ** 2, files, log);
  const socket: WorkerSocket = io(`${opts.server}/workers`, { auth: { token: opts.token }, transports: ['websocket'], reconnection: true, reconnectionDelayMax: 10_000 });
  const active = new Map<string, RemoteRun>();
  let drained = false;

  const deps = (job: Job) => ({
    socket,
    files,
    cache,
    root: opts.cache,
    threads: trainThreads({ backend: engine.backend, imageSize: 'imageSize' in job.config ? job.config.imageSize : 0, concurrentRuns: opts.concurrency, cores: capabilities.threads, override: opts.threads }),
    log,
  });
  const train = async (raw: Job): Promise<'complete' | 'failed'> => {
    const job = jobSchema.parse(raw);
    log(`training run ${job.runId} (${job.config.model}, ${job.config.preset}${job.resume ? `, resuming after epoch ${job.resume.epoch}` : ''})`);
    const run = startRemoteRun(job, deps(job));
    active.set(job.runId, run);
    try {
      const outcome = await run.done;
      log(`run ${job.runId} ${outcome === 'complete' ? 'completed' : 'failed'}`);
      return outcome;
    } finally {
      active.delete(job.runId);
    }
  };

  // Team mode: tickets from Redis. A GPU agent draws from the GPU queue and the common one, so
  // its slots are shared: a ticket drawn when all are busy goes back, delayed by two seconds.
  const bullWorkers: Worker[] = [];
  if (opts.redisUrl) {
    const queues = capabilities.gpu ? [TEAM_QUEUES.gpu, TEAM_QUEUES.any] : [TEAM_QUEUES.any];
    const processor = async (ticketJob: BullJob, token?: string) => {
      const ticket = ticketSchema.parse(ticketJob.data);
      if (!socket.connected || drained || active.size >= opts.concurrency) {
        await ticketJob.moveToDelayed(Date.now() + 2000, token);
        throw new DelayedError();
      }
      const job = await socket.timeout(30_000).emitWithAck('job:take', ticket);
      if (!job) return { taken: false };
      return { taken: true, outcome: await train(job) };
    };
    for (const name of queues) {
      const worker = new Worker(name, processor, {
        connection: new Redis(opts.redisUrl, { maxRetriesPerRequest: null }),
        prefix: opts.redisPrefix,
        concurrency: opts.concurrency,
        lockDuration: TICKET_LOCK_MS,
        stalledInterval: TICKET_STALLED_CHECK_MS,
        // A lapsed lock means a lost agent: the server, not BullMQ, queues the run again (with
        // its attempt count and resume point), so a stalled ticket fails instead of returning.
        maxStalledCount: 0,
        autorun: false,
      });
      worker.on('error', (err) => log(`Redis queue ${name}: ${err.message}`));
      bullWorkers.push(worker);
    }
  }

  // Embedded mode (no Redis): the agent asks the server for runs, as the server's own workers do.
  let claiming = false;
  const claimLoop = async () => {
    if (claiming || opts.redisUrl) return;
    claiming = true;
    try {
      while (socket.connected && !drained && active.size < opts.concurrency) {
        const job = await socket.timeout(30_000).emitWithAck('job:claim');
        if (!job) break;
        void train(job).then(() => claimLoop());
      }
    } catch (err) {
      log(`claim failed: ${err instanceof Error ? err.message : err}`);
    } finally {
      claiming = false;
    }
  };
  const setTaking = (on: boolean) => {
    for (const w of bullWorkers) {
      if (on && !w.isRunning()) void w.run().catch((err) => log(`queue worker stopped: ${err instanceof Error ? err.message : err}`));
      else if (on && w.isPaused()) w.resume();
      else if (!on && !w.isPaused()) void w.pause(true);
    }
    if (on) void claimLoop();
  };

  socket.on('connect', () => {
    socket.emit('worker:hello', { workerId: opts.id, pid: process.pid, host: os.hostname(), backend: engine.backend, capabilities });
    log(`connected to ${opts.server}${opts.redisUrl ? ' (team mode: tickets from Redis)' : ''}`);
    setTaking(!drained);
  });
  setInterval(() => {
    if (socket.connected) socket.emit('worker:heartbeat');
  }, WORKER_HEARTBEAT_MS).unref();
  socket.on('jobs:available', () => void claimLoop());
  socket.on('run:cancel', ({ runId }) => active.get(runId)?.cancel());
  socket.on('worker:drain', ({ drained: now }) => {
    drained = now;
    log(now ? 'drained by an admin: finishing what it holds, taking nothing new' : 'no longer drained: taking runs again');
    setTaking(!now);
  });
  socket.on('worker:removed', ({ by }) => {
    log(`removed from the dashboard by ${by}: stopping (start it again to rejoin)`);
    void shutdown(0);
  });
  socket.on('connect_error', (err) => {
    if (err.message === 'invalid worker token') {
      log('the server refused the worker token (unknown or revoked): an admin makes a new one on the People page');
      void shutdown(2);
    } else log(`cannot reach ${opts.server}: ${err.message} (retrying)`);
  });
  socket.on('disconnect', (reason) => {
    // The server queues the runs held here again; they resume from their last uploaded epoch.
    log(`disconnected (${reason}); stopping ${active.size} run(s) and reconnecting`);
    setTaking(false);
    for (const run of active.values()) run.cancel();
    // socket.io leaves a server-side close to the client: come back (a revoked token is refused
    // at the handshake, which ends the agent).
    if (reason === 'io server disconnect' && !stopping) setTimeout(() => socket.connect(), 1000).unref();
  });

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const run of active.values()) run.cancel();
    socket.close();
    await Promise.race([Promise.all(bullWorkers.map((w) => w.close(true))), new Promise((r) => setTimeout(r, 5000))]);
    process.exit(code);
  };
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--check')) return checkMain(argv.filter((a) => a !== '--check'));
  try {
    await agent(readOptions(argv));
    return -1; // keeps running
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err)) {
      console.error(`npm run worker: ${err.message}\nusage: npm run worker -- --server <dashboard url> --token <worker token> [--id <name>] [--cache <dir>] [--cache-mb <MB>] [--concurrency <runs>] [--threads <n>]\n       npm run worker -- --check [--json]`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    console.error(`[agent] fatal: ${err instanceof Error ? err.stack : err}`);
    process.exit(1);
  },
);
