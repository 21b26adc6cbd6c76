// The socket.io hub, transport only: browsers on "/" (a room per run, and per page shown: see
// presence.ts), workers on "/workers" (the server's own workers by its secret, other machines' by
// a worker token: worker-auth.ts). Every worker message is zod-validated and checked to be about a
// run this worker holds; the service that owns the change stores it; then it is broadcast to the
// run's room.
import { Server, type Namespace, type Socket } from 'socket.io';
import type http from 'node:http';
import type { z } from 'zod';
import type { Db } from '../../db/client';
import { runView } from '../../db/queries/runs';
import type { Auth } from '../auth/auth';
import type { SystemCredential } from '../auth/actor';
import type { SitePolicy } from '../auth/site';
import { BrowserSessions } from './browser-sessions';
import { WorkerAdmission, type WorkerAuthData } from './worker-auth';
import { Presence, pageRoom } from './presence';
import { safely, safelyNext } from './safely';
import type { Scheduler } from '../scheduler/scheduler';
import type { Services } from '../services';
import type { Deleted } from '../services/deletion';
import { ArtifactError } from '../services/artifacts';
import { DiskFullError } from '../services/disk-full';
import type { RunRow } from '../queue/run-queue';
import {
  subscribeSchema, workerCompleteSchema, workerFailSchema,
  workerSyncSchema, workerHelloSchema, workerLogSchema, workerTakeSchema,
  workerImageSchema, workerMetricsSchema, workerProgressSchema,
  type BrowserToServerEvents, type Job, type ServerToBrowserEvents, type ServerToWorkerEvents, type WorkerToServerEvents,
} from '../../lib/contracts/events';
import type { CommentTargetRef } from '../../lib/contracts/comments';

type WorkerSocket = Socket<WorkerToServerEvents, ServerToWorkerEvents, Record<string, never>, WorkerAuthData & { backend?: string; gpu?: boolean }>;

export const runRoom = (runId: string) => `run:${runId}`;

/** The workers table's lastSeen and the held run's lease are refreshed at most this often. */
const HEARTBEAT_MS = 10_000;

export interface HubOptions {
  db: Db;
  auth: Auth;
  /** Which Host and Origin a socket's handshake may carry. */
  site: SitePolicy;
  system: SystemCredential;
  workerToken: string;
  scheduler: Scheduler;
  services: Services;
  log: (line: string) => void;
}

export class Hub {
  readonly io: Server<BrowserToServerEvents, ServerToBrowserEvents>;
  private readonly workerNs: Namespace<WorkerToServerEvents, ServerToWorkerEvents>;
  private readonly sessions: BrowserSessions;
  private readonly workerAdmission: WorkerAdmission;
  /** Who is online, and on which page. */
  readonly presence: Presence;

  constructor(httpServer: http.Server, private readonly opts: HubOptions) {
    // A worker's event loop is busy for up to tens of seconds in one synchronous stretch (a
    // technique search over a thousand error maps on a loaded machine): the default 20 s ping
    // timeout failed such a run as "lost its connection". Local worker deaths are seen at once
    // through the child process's exit, so a long timeout costs nothing there.
    this.io = new Server(httpServer, {
      serveClient: false, maxHttpBufferSize: 8e6, pingInterval: 25_000, pingTimeout: 120_000,
      // Every handshake (browsers and workers): a Host of this dashboard (DNS rebinding) and, from a
      // browser, an Origin of this dashboard (another site's page cannot open a socket with our cookie).
      allowRequest: (req, callback) => {
        const origin = req.headers.origin;
        const ok = opts.site.hostAllowed(req.headers.host, req.socket.remoteAddress) && opts.site.originAllowed(origin);
        callback(ok ? null : 'this Host or Origin is not allowed', ok);
      },
    });
    this.sessions = new BrowserSessions(this.io, opts.db, opts.auth, opts.system, opts.log);
    this.presence = new Presence(this.io);
    this.io.on('connection', (socket) => {
      const guarded = <A extends unknown[]>(event: string, handler: (...args: A) => unknown, fallback?: unknown) => safely(opts.log, event, handler, fallback);
      guarded('connection', () => this.presence.connected(socket))();
      socket.on('presence:watch', guarded('presence:watch', (msg, ack) => this.presence.watch(socket, msg, ack), null));
      socket.on('presence:unwatch', guarded('presence:unwatch', (msg) => this.presence.unwatch(socket, msg)));
      socket.on('presence:list', guarded('presence:list', (ack) => this.presence.list(ack), []));
      socket.on('disconnect', guarded('disconnect', () => this.presence.disconnected(socket)));
      // The ack tells the browser it is in the room, so history it loads afterwards cannot miss
      // an event sent in between.
      socket.on('run:subscribe', guarded('run:subscribe', (msg, ack) => {
        const parsed = subscribeSchema.safeParse(msg);
        if (parsed.success) void socket.join(runRoom(parsed.data.runId));
        if (typeof ack === 'function') ack(parsed.success);
      }, false));
      socket.on('run:unsubscribe', guarded('run:unsubscribe', (msg) => {
        const parsed = subscribeSchema.safeParse(msg);
        if (parsed.success) void socket.leave(runRoom(parsed.data.runId));
      }));
    });

    this.workerNs = this.io.of('/workers');
    this.workerAdmission = new WorkerAdmission(opts.db, opts.workerToken, opts.log);
    this.workerNs.use(safelyNext(opts.log, 'the worker handshake', this.workerAdmission.handshake));
    this.workerNs.on('connection', (socket: WorkerSocket) => this.attachWorker(socket));
    opts.scheduler.setIdleNotifier(() => this.workerNs.emit('jobs:available'));
  }

  private runListener: (row: RunRow) => void = () => {};

  /** Every run change goes through publishRun; the study manager listens here. */
  setRunListener(fn: (row: RunRow) => void): void {
    this.runListener = fn;
  }

  publishRun(row: RunRow): void {
    this.io.emit('run:updated', runView(this.opts.db, row));
    this.runListener(row);
  }

  /** A line the server itself writes in a run's log (a resume, a requeue), stored and shown. */
  runLog(runId: string, level: 'info' | 'warn' | 'error', message: string): void {
    const { ts } = this.opts.services.stream.recordLog(runId, level, message);
    this.io.to(runRoom(runId)).emit('run:log', { runId, level, message, ts });
  }

  /** The run's viewers drop what it streamed after `step`: it trains those steps again. */
  publishRewound(runId: string, step: number): void {
    this.io.to(runRoom(runId)).emit('run:rewound', { runId, step });
  }

  publishStudy(studyId: string): void {
    this.io.emit('study:updated', { studyId });
  }

  /** Tells a comment thread's viewers to reload it: a run's or study's page room; a table cell's
   * thread to everyone, as every comparison table (studies, /compare) shows cells. */
  publishComments(target: CommentTargetRef): void {
    if (target.kind === 'cell') this.io.emit('comments:updated', { target });
    else this.io.to(pageRoom(target)).emit('comments:updated', { target });
  }

  /** Tells browsers what a deletion removed: runs lists drop the runs, and the studies, the
   * datasets and the results table reload. */
  publishDeleted({ runIds, studyIds, datasetIds }: Deleted): void {
    if (runIds.length) {
      this.io.emit('runs:deleted', { runIds });
      this.io.emit('results:updated');
    }
    for (const studyId of studyIds) this.io.emit('study:updated', { studyId });
    if (datasetIds.length) this.io.emit('datasets:updated');
  }

  /** Tells browsers to reload a list: the results table or the datasets. */
  announce(event: 'results:updated' | 'datasets:updated' | 'activity:updated' | 'workers:updated'): void {
    this.io.emit(event);
  }

  cancelOnWorker(row: RunRow): void {
    if (row.workerId) this.workerNs.emit('run:cancel', { runId: row.id });
  }

  /** Asks again whether every browser socket's session holds (after a removal or role change). */
  recheckSessions(): Promise<void> {
    return this.sessions.recheck();
  }

  /** An API token was revoked: its open browser-namespace sockets are closed now. */
  disconnectApiToken(tokenId: string): void {
    this.sessions.disconnectToken(tokenId);
  }

  /** A worker token was revoked: its workers are disconnected now and anything they still send
   * is ignored; the runs they held fail with the reason. */
  revokeWorkerToken(tokenId: string): number {
    return this.workerAdmission.revoke(tokenId, this.workerNs);
  }

  /** The worker token an agent's HTTP request presents (its id), or null when refused. */
  workerRequestToken(req: http.IncomingMessage): string | null {
    return this.workerAdmission.requestTokenId(req);
  }

  /** Whether a worker with a GPU is connected now. */
  gpuWorkersAttached(): boolean {
    return [...this.workerNs.sockets.values()].some((socket) => (socket.data as { gpu?: boolean }).gpu === true);
  }

  /** The token id a connected worker was admitted with; undefined when it is not connected. */
  tokenOfWorker(workerId: string): string | undefined {
    return WorkerAdmission.tokenOfWorker(this.workerNs, workerId);
  }

  async close(): Promise<void> {
    this.sessions.stop();
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  /** Tells the worker's open sockets that an admin drained it (it takes no new run) or resumed
   * it; how many sockets were told. */
  drainWorker(workerId: string, drained: boolean): number {
    const sockets = this.workerSockets(workerId);
    for (const socket of sockets) socket.emit('worker:drain', { drained });
    return sockets.length;
  }

  /** An admin removed the worker: its sockets are closed now; the disconnect path queues its runs
   * again (saying who removed it) and stops it if it is one of this server's processes. How many
   * sockets were closed. */
  removeWorker(workerId: string, by: string): number {
    const sockets = this.workerSockets(workerId);
    this.opts.scheduler.workerRemoved(workerId, by);
    this.opts.log(`worker ${workerId} removed by ${by}${sockets.length ? '' : ' (it was not connected)'}`);
    for (const socket of sockets) {
      socket.emit('worker:removed', { by });
      socket.disconnect(true);
    }
    return sockets.length;
  }

  private workerSockets(workerId: string): WorkerSocket[] {
    return [...(this.workerNs.sockets.values() as Iterable<WorkerSocket>)].filter((s) => s.data.workerId === workerId);
  }

  private attachWorker(socket: WorkerSocket): void {
    const { scheduler, log } = this.opts;
    const { runs, jobs, stream, artifacts, workers } = this.opts.services;
    this.workerAdmission.guard(socket);
    const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
    /** A handler that waits on a service; a failure is logged, not left unhandled. */
    const handle = (event: string, work: () => Promise<void>) =>
      void work().catch((err) => log(`${event} from worker ${socket.data.workerId} failed: ${describe(err)}`));
    /** Parses a message and checks the run is running on this worker; null (and a log) if not. */
    const accept = <T extends { runId: string }>(schema: z.ZodType<T>, msg: unknown, event: string): { data: T; run: RunRow } | null => {
      const parsed = schema.safeParse(msg);
      if (!parsed.success) {
        log(`rejected ${event} from worker ${socket.data.workerId}: ${parsed.error.issues[0]?.message}`);
        return null;
      }
      const run = runs.heldBy(parsed.data.runId, socket.data.workerId);
      if (!run) return null;
      heartbeat(run.id);
      return { data: parsed.data, run };
    };
    /** Nothing more of this run can be stored: it fails with the reason, the server goes on. */
    const abort = (runId: string, err: DiskFullError) => {
      log(`run ${runId}: ${err.message}`);
      handle('abort', async () => {
        await runs.abort(runId, err.message);
      });
    };
    // The worker is alive and at its run: refresh lastSeen and the run's lease.
    let lastBeat = 0;
    const heartbeat = (runId: string) => {
      const now = Date.now();
      const workerId = socket.data.workerId;
      if (now - lastBeat < HEARTBEAT_MS || !workerId) return;
      lastBeat = now;
      workers.seen(workerId, now);
      handle('heartbeat', () => runs.extendLease(runId, workerId));
    };

    socket.on('worker:hello', safely(log, '/workers worker:hello', (msg) => {
      const parsed = workerHelloSchema.safeParse(msg);
      if (!parsed.success) return void socket.disconnect(true);
      const hello = parsed.data;
      socket.data.workerId = hello.workerId;
      socket.data.backend = hello.backend;
      socket.data.gpu = hello.capabilities?.gpu ?? hello.backend === 'tfjs-node-gpu';
      workers.hello(hello);
      if (workers.isDrained(hello.workerId)) socket.emit('worker:drain', { drained: true });
      scheduler.workerConnected(hello.workerId);
      log(`worker ${hello.workerId} connected (pid ${hello.pid}, backend ${hello.backend})`);
    }));

    socket.on('worker:heartbeat', safely(log, '/workers worker:heartbeat', () => {
      if (socket.data.workerId) workers.seen(socket.data.workerId);
    }));

    socket.on('job:claim', safely(log, '/workers job:claim', (ack) => {
      const workerId = socket.data.workerId;
      if (!workerId || typeof ack !== 'function') return;
      handle('job:claim', async () => {
        let job: Job | null = null;
        try {
          const next = await jobs.claimNextJob(workerId, socket.data.backend ?? 'unknown', socket.data.gpu ?? false);
          scheduler.workerIdle(workerId, !next.claimed);
          job = next.job;
        } finally {
          // A claim that went wrong answers "nothing" now rather than at the worker's timeout.
          ack(job);
        }
      });
    }, null));

    // Team mode: an agent drew a ticket from Redis; the database decides whether it still holds.
    socket.on('job:take', safely(log, '/workers job:take', (msg, ack) => {
      const workerId = socket.data.workerId;
      if (!workerId || typeof ack !== 'function') return;
      const parsed = workerTakeSchema.safeParse(msg);
      if (!parsed.success) {
        log(`rejected job:take from worker ${workerId}: ${parsed.error.issues[0]?.message}`);
        return ack(null);
      }
      handle('job:take', async () => {
        let job: Job | null = null;
        try {
          job = await jobs.takeJob(parsed.data.runId, parsed.data.attempt, workerId, socket.data.backend ?? 'unknown', socket.data.gpu ?? false);
        } finally {
          ack(job);
        }
      });
    }, null));

    socket.on('run:metrics', safely(log, '/workers run:metrics', (msg) => {
      const ok = accept(workerMetricsSchema, msg, 'run:metrics');
      if (!ok) return;
      let points;
      try {
        points = stream.recordMetrics(ok.data.runId, ok.data.points);
      } catch (err) {
        if (!(err instanceof DiskFullError)) throw err;
        return abort(ok.data.runId, err);
      }
      this.io.to(runRoom(ok.data.runId)).emit('run:metrics', { runId: ok.data.runId, points });
    }));

    socket.on('run:log', safely(log, '/workers run:log', (msg) => {
      const ok = accept(workerLogSchema, msg, 'run:log');
      if (!ok) return;
      const { ts } = stream.recordLog(ok.data.runId, ok.data.level, ok.data.message);
      this.io.to(runRoom(ok.data.runId)).emit('run:log', { ...ok.data, ts });
    }));

    socket.on('run:progress', safely(log, '/workers run:progress', (msg) => {
      const ok = accept(workerProgressSchema, msg, 'run:progress');
      if (ok) handle('run:progress', () => runs.reportProgress(ok.data.runId, ok.data.step / ok.data.totalSteps));
    }));

    socket.on('run:image', safely(log, '/workers run:image', (msg) => {
      const ok = accept(workerImageSchema, msg, 'run:image');
      if (!ok) return;
      try {
        const image = artifacts.saveRunImage(ok.data.runId, ok.data.step, ok.data.kind, Buffer.from(ok.data.png, 'base64'));
        this.io.to(runRoom(ok.data.runId)).emit('run:image', { runId: ok.data.runId, image });
      } catch (err) {
        if (err instanceof DiskFullError) return abort(ok.data.runId, err);
        if (!(err instanceof ArtifactError)) throw err;
        log(`rejected run:image for ${ok.data.runId}: ${err.message}`);
      }
    }));

    // Messages of one socket are handled in order, and points and images are stored as they
    // arrive: by the time this is answered, everything sent before it is in the database.
    socket.on('run:sync', safely(log, '/workers run:sync', (msg, ack) => {
      const ok = accept(workerSyncSchema, msg, 'run:sync');
      if (typeof ack === 'function') ack(Boolean(ok));
    }, false));

    socket.on('run:complete', safely(log, '/workers run:complete', (msg, ack) => {
      const ok = accept(workerCompleteSchema, msg, 'run:complete');
      handle('run:complete', async () => {
        if (ok) await runs.complete(ok.run, ok.data.summary, ok.data.results);
        if (typeof ack === 'function') ack(Boolean(ok));
      });
    }, false));

    socket.on('run:fail', safely(log, '/workers run:fail', (msg, ack) => {
      const ok = accept(workerFailSchema, msg, 'run:fail');
      handle('run:fail', async () => {
        if (ok) await runs.fail(ok.data.runId, ok.data.error);
        if (typeof ack === 'function') ack(Boolean(ok));
      });
    }, false));

    socket.on('disconnect', safely(log, '/workers disconnect', (reason) => {
      const workerId = socket.data.workerId;
      if (!workerId) return;
      workers.disconnected(workerId);
      handle('disconnect', () => scheduler.workerLost(workerId, WorkerAdmission.closeReason(socket, reason)));
    }));
  }
}
