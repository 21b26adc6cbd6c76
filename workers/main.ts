// A worker process: picks a TensorFlow.js backend, connects to the server's "/workers"
// namespace, claims queued runs one at a time, trains them and streams what happens.
// Started by the scheduler (with the server's own secret), or by hand on another machine with
// SERVER_URL and, in WORKER_TOKEN, a worker token an admin made on the People page.
import os from 'node:os';
import { io } from 'socket.io-client';
import { z } from 'zod';
import { initEngine } from './engine/backend';
import { runModelJob } from './jobs/run-job';
import { jobSchema, WORKER_HEARTBEAT_MS, type Job, type MetricPoint } from '../lib/contracts/events';
import { PointBuffer, type WorkerSocket } from './link/point-buffer';
import { describeMachine } from './agent/capabilities';
import { RunStoppedError } from './train/epoch-loop';
import { trainThreads } from './parallel/threads';

const env = z
  .object({
    SERVER_URL: z.string().url(),
    WORKER_TOKEN: z.string().min(16),
    WORKER_ID: z.string().min(1).default(`w-${os.hostname()}-${process.pid}`),
    /** Exit after this long without work, so idle workers don't hold memory. */
    WORKER_IDLE_MS: z.coerce.number().int().min(1000).default(60_000),
    /** Threads per run on the wasm and cpu backends; unset: the cores shared among the runs. */
    TRAIN_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  })
  .parse(process.env);

const log = (line: string) => console.error(`[worker ${env.WORKER_ID}] ${line}`);
async function runJob(socket: WorkerSocket, job: Job, backend: string, cancelled: Set<string>): Promise<void> {
  const buffer = new PointBuffer(socket, job.runId);
  const ctx = {
    backend,
    threads: trainThreads({
      backend,
      imageSize: 'imageSize' in job.config ? job.config.imageSize : 0,
      concurrentRuns: job.concurrentRuns,
      cores: os.availableParallelism(),
      override: env.TRAIN_THREADS,
    }),
    log: (level: 'info' | 'warn' | 'error', message: string) => socket.emit('run:log', { runId: job.runId, level, message }),
    metrics: (points: MetricPoint[]) => buffer.push(points),
    progress: (epoch: number, step: number, totalSteps: number) => socket.emit('run:progress', { runId: job.runId, epoch, step, totalSteps }),
    image: (step: number, kind: 'samples' | 'real' | 'heatmap', png: Buffer) => {
      buffer.flush(); // the grid belongs after the points of its step
      socket.emit('run:image', { runId: job.runId, step, kind, png: png.toString('base64') });
    },
    shouldStop: () => cancelled.has(job.runId) || !socket.connected,
    sync: async () => {
      buffer.flush();
      const held = await socket.timeout(30_000).emitWithAck('run:sync', { runId: job.runId });
      if (!held) throw new RunStoppedError('the server no longer holds this run for this worker');
    },
  };
  try {
    const outcome = await runModelJob(job, ctx);
    buffer.flush();
    await socket.timeout(10_000).emitWithAck('run:complete', { runId: job.runId, ...outcome });
  } catch (err) {
    buffer.flush();
    const message = err instanceof RunStoppedError ? `stopped: ${err.message}` : err instanceof Error ? err.message : String(err);
    log(`run ${job.runId} failed: ${message}`);
    await socket.timeout(10_000).emitWithAck('run:fail', { runId: job.runId, error: message }).catch(() => undefined);
  }
}

async function main() {
  const engine = await initEngine();
  log(`backend ${engine.backend}`);
  // The server's own child, one run at a time (the Workers page shows it as this server's).
  const capabilities = await describeMachine(engine, { concurrency: 1, kind: 'local' });
  const socket: WorkerSocket = io(`${env.SERVER_URL}/workers`, { auth: { token: env.WORKER_TOKEN }, reconnection: false, transports: ['websocket'] });
  const cancelled = new Set<string>();
  let busy = false;
  let idleTimer: NodeJS.Timeout | null = null;

  const armIdleTimer = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      log('idle: exiting');
      socket.close();
      process.exit(0);
    }, env.WORKER_IDLE_MS);
  };

  const claimLoop = async () => {
    if (busy) return;
    busy = true;
    try {
      for (;;) {
        const raw = await socket.timeout(10_000).emitWithAck('job:claim');
        if (!raw) break;
        if (idleTimer) clearTimeout(idleTimer);
        const job = jobSchema.parse(raw);
        log(`claimed run ${job.runId} (${job.config.model}, ${job.config.preset})`);
        await runJob(socket, job, engine.backend, cancelled);
      }
    } catch (err) {
      log(`claim failed: ${err instanceof Error ? err.message : err}`);
    } finally {
      busy = false;
      armIdleTimer();
    }
  };

  socket.on('connect', () => {
    socket.emit('worker:hello', { workerId: env.WORKER_ID, pid: process.pid, host: os.hostname(), backend: engine.backend, capabilities });
    void claimLoop();
  });
  setInterval(() => {
    if (socket.connected) socket.emit('worker:heartbeat');
  }, WORKER_HEARTBEAT_MS).unref();
  socket.on('jobs:available', () => void claimLoop());
  socket.on('run:cancel', ({ runId }) => cancelled.add(runId));
  // The server hands a drained worker nothing; this only says why it sits idle.
  socket.on('worker:drain', ({ drained }) => log(drained ? 'drained by an admin: finishing what it holds, taking nothing new' : 'resumed by an admin'));
  socket.on('connect_error', (err) => {
    log(`cannot connect to ${env.SERVER_URL}: ${err.message}`);
    process.exit(1);
  });
  socket.on('disconnect', (reason) => {
    log(`disconnected (${reason}): exiting`);
    process.exit(0);
  });
  process.once('SIGTERM', () => {
    socket.close();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(`[worker ${env.WORKER_ID}] fatal: ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
