// The socket.io hub: browsers on "/" (one room per run), workers on "/workers" (token-checked).
// Every worker message is zod-validated, persisted, then broadcast to the run's room.
import { Server, type Namespace, type Socket } from 'socket.io';
import type http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import fs from 'node:fs';
import type { z } from 'zod';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { workers } from '../../db/schema';
import { claimNextRun, completeRun, failRun, getRun, setProgress, toRunView } from '../../db/queries/runs';
import { appendLog, appendMetricPoints, insertRunImage } from '../../db/queries/metrics';
import { insertResults } from '../../db/queries/results';
import { getDataset, type DatasetRow } from '../../db/queries/datasets';
import type { Scheduler } from '../scheduler/scheduler';
import {
  jobSchema, subscribeSchema, workerCompleteSchema, workerFailSchema, workerHelloSchema, workerLogSchema,
  workerImageSchema, workerMetricsSchema, workerProgressSchema,
  type BrowserToServerEvents, type ServerToBrowserEvents, type ServerToWorkerEvents, type WorkerToServerEvents,
} from '../../lib/contracts/events';
import type { runs } from '../../db/schema';
import { isSyntheticSummary } from '../../lib/contracts/events';
import { synthConfigSchema } from '../../lib/contracts/run-config';
import { registerSynthetic, stagingDir, synthesisGenerators, trainDataLabel } from '../datasets/synthesize';

type RunRow = typeof runs.$inferSelect;
type WorkerSocket = Socket<WorkerToServerEvents, ServerToWorkerEvents, Record<string, never>, { workerId?: string; backend?: string }>;

export const runRoom = (runId: string) => `run:${runId}`;

export interface HubOptions {
  db: Db;
  dataDir: string;
  origin: string;
  workerToken: string;
  scheduler: Scheduler;
  log: (line: string) => void;
}

export class Hub {
  readonly io: Server<BrowserToServerEvents, ServerToBrowserEvents>;
  private readonly workerNs: Namespace<WorkerToServerEvents, ServerToWorkerEvents>;

  constructor(httpServer: http.Server, private readonly opts: HubOptions) {
    // A worker's event loop is busy for up to tens of seconds in one synchronous stretch (a
    // technique search over a thousand error maps on a loaded machine): the default 20 s ping
    // timeout failed such a run as "lost its connection". Local worker deaths are seen at once
    // through the child process's exit, so a long timeout costs nothing there.
    this.io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 8e6, pingInterval: 25_000, pingTimeout: 120_000 });
    this.io.on('connection', (socket) => {
      // The ack tells the browser it is in the room, so history it loads afterwards cannot miss
      // an event sent in between.
      socket.on('run:subscribe', (msg, ack) => {
        const parsed = subscribeSchema.safeParse(msg);
        if (parsed.success) void socket.join(runRoom(parsed.data.runId));
        if (typeof ack === 'function') ack(parsed.success);
      });
      socket.on('run:unsubscribe', (msg) => {
        const parsed = subscribeSchema.safeParse(msg);
        if (parsed.success) void socket.leave(runRoom(parsed.data.runId));
      });
    });

    this.workerNs = this.io.of('/workers');
    this.workerNs.use((socket, next) => {
      const token = String(socket.handshake.auth?.token ?? '');
      const ok = token.length === opts.workerToken.length && crypto.timingSafeEqual(Buffer.from(token), Buffer.from(opts.workerToken));
      next(ok ? undefined : new Error('invalid worker token'));
    });
    this.workerNs.on('connection', (socket: WorkerSocket) => this.attachWorker(socket));
    opts.scheduler.setIdleNotifier(() => this.workerNs.emit('jobs:available'));
  }

  private runListener: (row: RunRow) => void = () => {};

  /** Every run change goes through publishRun; the study manager listens here. */
  setRunListener(fn: (row: RunRow) => void): void {
    this.runListener = fn;
  }

  publishRun(row: RunRow): void {
    this.io.emit('run:updated', toRunView(row));
    this.runListener(row);
  }

  publishStudy(studyId: string): void {
    this.io.emit('study:updated', { studyId });
  }

  cancelOnWorker(row: RunRow): void {
    if (row.workerId) this.workerNs.emit('run:cancel', { runId: row.id });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  private attachWorker(socket: WorkerSocket): void {
    const { db, scheduler, log } = this.opts;
    /** Parses a message and checks the run is running on this worker; null (and a log) if not. */
    const accept = <T extends { runId: string }>(schema: z.ZodType<T>, msg: unknown, event: string): { data: T; run: RunRow } | null => {
      const parsed = schema.safeParse(msg);
      if (!parsed.success) {
        log(`rejected ${event} from worker ${socket.data.workerId}: ${parsed.error.issues[0]?.message}`);
        return null;
      }
      const run = getRun(db, parsed.data.runId);
      if (!run || run.status !== 'running' || run.workerId !== socket.data.workerId) return null;
      heartbeat();
      return { data: parsed.data, run };
    };
    // The workers table's lastSeen: refreshed by the worker's messages, at most every 10 s.
    let lastBeat = 0;
    const heartbeat = () => {
      const now = Date.now();
      if (now - lastBeat < 10_000 || !socket.data.workerId) return;
      lastBeat = now;
      db.update(workers).set({ lastSeen: now }).where(eq(workers.id, socket.data.workerId)).run();
    };

    socket.on('worker:hello', (msg) => {
      const parsed = workerHelloSchema.safeParse(msg);
      if (!parsed.success) return void socket.disconnect(true);
      const hello = parsed.data;
      socket.data.workerId = hello.workerId;
      socket.data.backend = hello.backend;
      const now = Date.now();
      const row = { id: hello.workerId, pid: hello.pid, host: hello.host, backend: hello.backend, connectedAt: now, lastSeen: now, disconnectedAt: null };
      db.insert(workers).values(row).onConflictDoUpdate({ target: workers.id, set: row }).run();
      scheduler.workerConnected(hello.workerId);
      log(`worker ${hello.workerId} connected (pid ${hello.pid}, backend ${hello.backend})`);
    });

    socket.on('job:claim', (ack) => {
      const workerId = socket.data.workerId;
      if (!workerId || typeof ack !== 'function') return;
      const row = claimNextRun(db, this.opts.origin, workerId, socket.data.backend ?? 'unknown');
      scheduler.workerIdle(workerId, !row);
      if (!row) return ack(null);
      const dataset = getDataset(db, row.datasetId);
      const { dataDir } = this.opts;
      const synth = synthConfigSchema.safeParse(row.config);
      const syntheticId = 'syntheticDatasetId' in row.config ? row.config.syntheticDatasetId : undefined;
      const synthetic = syntheticId ? getDataset(db, syntheticId) : undefined;
      const jobDataset = (d: DatasetRow) => ({ id: d.id, name: d.name, dir: path.join(dataDir, d.dir), imageSize: d.imageSize, count: d.count, splits: d.splits, anomalySplits: d.anomalySplits });
      const job = jobSchema.safeParse({
        runId: row.id,
        config: row.config,
        dataset: dataset && jobDataset(dataset),
        synthetic: syntheticId ? (synthetic ? jobDataset(synthetic) : undefined) : null,
        paths: { artifacts: path.join(dataDir, 'artifacts', row.id), encoders: path.join(dataDir, 'encoders'), staging: stagingDir(dataDir, row.id) },
        generators: synth.success ? synthesisGenerators(db, dataDir, synth.data) : [],
        concurrentRuns: scheduler.concurrentRuns(),
      });
      if (!job.success) {
        const failed = failRun(db, row.id, `The run's config or dataset is invalid: ${job.error.issues[0]?.message}`);
        if (failed) this.publishRun(failed);
        return ack(null);
      }
      this.publishRun(row);
      ack(job.data);
    });

    socket.on('run:metrics', (msg) => {
      const ok = accept(workerMetricsSchema, msg, 'run:metrics');
      if (!ok) return;
      const stored = appendMetricPoints(db, ok.data.runId, ok.data.points);
      this.io.to(runRoom(ok.data.runId)).emit('run:metrics', { runId: ok.data.runId, points: stored });
    });

    socket.on('run:log', (msg) => {
      const ok = accept(workerLogSchema, msg, 'run:log');
      if (!ok) return;
      const { ts } = appendLog(db, ok.data.runId, ok.data.level, ok.data.message);
      this.io.to(runRoom(ok.data.runId)).emit('run:log', { ...ok.data, ts });
    });

    socket.on('run:progress', (msg) => {
      const ok = accept(workerProgressSchema, msg, 'run:progress');
      if (!ok) return;
      const row = setProgress(db, ok.data.runId, Math.min(1, ok.data.step / ok.data.totalSteps));
      if (row) this.publishRun(row);
    });

    socket.on('run:image', (msg) => {
      const ok = accept(workerImageSchema, msg, 'run:image');
      if (!ok) return;
      const png = Buffer.from(ok.data.png, 'base64');
      if (png.subarray(1, 4).toString('latin1') !== 'PNG') return log(`rejected run:image for ${ok.data.runId}: not a PNG`);
      const dir = path.join('artifacts', ok.data.runId);
      const file = path.join(dir, `${String(ok.data.step).padStart(7, '0')}-${ok.data.kind}.png`);
      fs.mkdirSync(path.join(this.opts.dataDir, dir), { recursive: true });
      fs.writeFileSync(path.join(this.opts.dataDir, file), png);
      const image = insertRunImage(db, ok.data.runId, ok.data.step, ok.data.kind, file);
      this.io.to(runRoom(ok.data.runId)).emit('run:image', { runId: ok.data.runId, image });
    });

    socket.on('run:complete', (msg, ack) => {
      const ok = accept(workerCompleteSchema, msg, 'run:complete');
      if (ok && isSyntheticSummary(ok.data.summary)) {
        // The staged dataset becomes a version now; if that fails the run fails and nothing stays.
        let row: RunRow | undefined;
        try {
          const dataset = registerSynthetic(db, this.opts.dataDir, ok.data.runId, synthConfigSchema.parse(ok.run.config), ok.data.summary);
          row = completeRun(db, ok.data.runId, { ...ok.data.summary, datasetId: dataset.id, datasetName: dataset.name });
          this.io.emit('datasets:updated');
        } catch (err) {
          fs.rmSync(stagingDir(this.opts.dataDir, ok.data.runId), { recursive: true, force: true });
          row = failRun(db, ok.data.runId, `The synthetic dataset could not be registered: ${err instanceof Error ? err.message : err}`);
        }
        if (row) this.publishRun(row);
        if (typeof ack === 'function') ack(true);
        return;
      }
      if (ok) {
        const row = db.transaction(() => {
          const column = trainDataLabel(db, ok.run.config);
          insertResults(db, ok.data.runId, ok.run.datasetId, ok.data.results.map((r) => ({ ...r, trainData: column })));
          return completeRun(db, ok.data.runId, ok.data.summary);
        });
        if (row) this.publishRun(row);
        this.io.emit('results:updated');
      }
      if (typeof ack === 'function') ack(Boolean(ok));
    });

    socket.on('run:fail', (msg, ack) => {
      const ok = accept(workerFailSchema, msg, 'run:fail');
      if (ok) {
        fs.rmSync(stagingDir(this.opts.dataDir, ok.data.runId), { recursive: true, force: true });
        const row = failRun(db, ok.data.runId, ok.data.error);
        if (row) this.publishRun(row);
      }
      if (typeof ack === 'function') ack(Boolean(ok));
    });

    socket.on('disconnect', (reason) => {
      const workerId = socket.data.workerId;
      if (!workerId) return;
      db.update(workers).set({ disconnectedAt: Date.now() }).where(eq(workers.id, workerId)).run();
      void scheduler.workerLost(workerId, reason);
    });
  }
}
