// The job scheduler: keeps enough local worker processes alive to drain this origin's queue,
// and fails a run whose worker dies, with the reason, without disturbing anything else.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunQueue, RunRow } from '../queue/run-queue';
import type { RunService } from '../services/runs';
import { processAlive } from '../process-alive';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SchedulerOptions {
  /** Read for what is queued and held; runs are failed through the run service. */
  queue: RunQueue;
  runs: RunService;
  origin: string;
  maxWorkers: number;
  workerToken: string;
  workerEnv: Record<string, string | undefined>;
  serverUrl: () => string;
  log: (line: string) => void;
  /** A drained worker takes nothing, so an idle one does not stand in for a worker to start. */
  isDrained: (workerId: string) => boolean;
  /** The dashboard takes over what command-line processes that are gone left queued or running;
   * called with such a process's origin once one of its runs is taken over (its studies follow). */
  adoptFrom?: (origin: string) => Promise<void>;
}

interface LocalWorker {
  child: ChildProcess;
  connected: boolean;
  exited: Promise<string>;
}

export class Scheduler {
  private readonly local = new Map<string, LocalWorker>();
  private idleWorkers = new Set<string>();
  private notifyIdle: () => void = () => {};
  private stopping = false;
  private seq = 0;
  private startFailures = 0;
  private sweepTimer: NodeJS.Timeout | null = null;
  /** Workers an admin removed, with why their runs go back to the queue ("was removed by …"). */
  private readonly removals = new Map<string, string>();

  constructor(private readonly opts: SchedulerOptions) {}

  /** Runs that were running when a previous server stopped are queued again and resume from
   * their last saved epoch; so are those of a command-line process that is gone, which this
   * server (the dashboard) takes over with their studies. */
  async recoverInterruptedRuns(): Promise<void> {
    for (const run of await this.opts.queue.orphanedRuns()) {
      if (run.origin === this.opts.origin) {
        if (run.status === 'running') await this.opts.runs.retry(run.id, 'the server stopped while this run was in progress');
      } else await this.adoptIfGone(run);
    }
    this.poke();
  }

  /** Watches the leases of this server's runs (and, for the dashboard, command-line processes
   * that died), every `periodMs`. */
  startSweeping(periodMs: number): void {
    this.sweepTimer ??= setInterval(() => this.background('sweeping the queue', this.sweep()), periodMs);
    this.sweepTimer.unref();
  }

  /** Runs whose worker sent nothing for a whole lease are queued again (their worker, if it is
   * ours and still alive, is stopped first, as it may be stuck). */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    for (const run of await this.opts.queue.expiredLeases(this.opts.origin, Date.now())) {
      const local = run.workerId ? this.local.get(run.workerId) : undefined;
      if (local && local.child.exitCode === null && local.child.signalCode === null) local.child.kill('SIGKILL');
      const row = await this.opts.runs.retry(run.id, `worker ${run.workerId} sent nothing until its lease ran out`);
      if (row) this.opts.log(`run ${run.id}: the lease of worker ${run.workerId} ran out; ${row.status === 'queued' ? 'queued again' : 'failed'}`);
    }
    if (this.opts.adoptFrom) for (const run of await this.opts.queue.orphanedRuns()) if (run.origin !== this.opts.origin) await this.adoptIfGone(run);
  }

  /** A run of a command-line process that is gone: taken over by this server (with the
   * process's studies), then queued again if it was running. */
  private async adoptIfGone(run: RunRow): Promise<void> {
    const cli = /^cli-(\d+)$/.exec(run.origin);
    if (!this.opts.adoptFrom || !cli || processAlive(Number(cli[1]))) return;
    const row = await this.opts.queue.adopt(run.id, run.origin, this.opts.origin);
    if (!row) return;
    this.opts.log(`run ${run.id} of ${run.origin}, a command-line process that is gone, is run from here now`);
    await this.opts.adoptFrom(run.origin);
    if (row.status === 'running') await this.opts.runs.retry(row.id, `the command-line process that ran it (${run.origin}) is gone`);
    this.poke();
  }

  setIdleNotifier(fn: () => void): void {
    this.notifyIdle = fn;
  }

  workerIdle(workerId: string, idle: boolean): void {
    if (idle) this.idleWorkers.add(workerId);
    else this.idleWorkers.delete(workerId);
  }

  workerConnected(workerId: string): void {
    this.removals.delete(workerId);
    const local = this.local.get(workerId);
    if (local) local.connected = true;
  }

  /** Starts workers for queued runs and wakes idle ones. */
  poke(): void {
    if (this.stopping) return;
    this.opts.queue.counts(this.opts.origin).then(
      ({ queued }) => this.startWorkersFor(queued),
      (err) => this.opts.log(`could not read the queue: ${err instanceof Error ? err.message : err}`),
    );
  }

  private startWorkersFor(queued: number): void {
    if (this.stopping || queued === 0) return;
    this.notifyIdle();
    const starting = [...this.local.values()].filter((w) => !w.connected).length;
    const idle = [...this.idleWorkers].filter((id) => !this.opts.isDrained(id)).length;
    const wanted = queued - idle - starting;
    const room = this.opts.maxWorkers - this.local.size;
    for (let i = 0; i < Math.min(wanted, room); i++) this.spawnWorker();
  }

  /** A worker's socket closed. A local worker's exit tells us why; a remote one can't. */
  async workerLost(workerId: string, socketReason: string): Promise<void> {
    this.idleWorkers.delete(workerId);
    const local = this.local.get(workerId);
    const reason = local
      ? await Promise.race([local.exited, delay(3000).then(() => `lost its connection (${socketReason})`)])
      : `disconnected (${socketReason})`;
    if (local && local.child.exitCode === null && local.child.signalCode === null) local.child.kill('SIGKILL');
    await this.failRunsOf(workerId, reason);
  }

  /** An admin removed the worker; its socket is closed next. The runs it held are queued again
   * by the usual path (workerLost, or a local worker's exit), saying who removed it. */
  workerRemoved(workerId: string, by: string): void {
    this.removals.set(workerId, `was removed by ${by}`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const exits = [...this.local.values()].map((w) => {
      w.child.kill('SIGTERM');
      return Promise.race([w.exited, delay(3000).then(() => w.child.kill('SIGKILL'))]);
    });
    await Promise.all(exits);
  }

  /** Runs of this origin that train at once now: those running (a just-claimed one included) and
   * those queued that a free worker slot will start, at most MAX_WORKERS when it limits. */
  async concurrentRuns(): Promise<number> {
    const { queue, origin, maxWorkers } = this.opts;
    const { queued, running } = await queue.counts(origin);
    const wanted = running + queued;
    return Math.max(1, maxWorkers > 0 ? Math.min(maxWorkers, wanted) : wanted);
  }

  localWorkerPids(): number[] {
    return [...this.local.values()].map((w) => w.child.pid ?? -1);
  }

  /** A lost worker's runs are queued again to resume elsewhere (or fail after their attempts). */
  private async failRunsOf(workerId: string, lostReason: string): Promise<void> {
    const reason = this.removals.get(workerId) ?? lostReason;
    for (const run of await this.opts.queue.runsHeldBy(workerId)) {
      const row = await this.opts.runs.retry(run.id, `worker ${workerId} ${reason} while training this run`);
      if (row) this.opts.log(`run ${run.id}: worker ${workerId} ${reason}; ${row.status === 'queued' ? 'queued again' : 'failed'}`);
    }
  }

  private async failQueued(reason: string): Promise<void> {
    for (const run of await this.opts.queue.queuedRuns(this.opts.origin)) await this.opts.runs.fail(run.id, reason);
  }

  /** Work started from a child's exit handler: a failure is logged, not left unhandled. */
  private background(what: string, work: Promise<void>): void {
    work.catch((err) => this.opts.log(`${what} failed: ${err instanceof Error ? err.message : err}`));
  }

  private spawnWorker(): void {
    const workerId = `w-${process.pid}-${++this.seq}`;
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'workers', 'main.ts')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...this.opts.workerEnv,
        SERVER_URL: this.opts.serverUrl(),
        WORKER_TOKEN: this.opts.workerToken,
        WORKER_ID: workerId,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        this.idleWorkers.delete(workerId);
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const reason = `(process ${child.pid}) ${how}`;
        const neverConnected = !this.local.get(workerId)?.connected;
        this.local.delete(workerId);
        this.background(`failing the runs of worker ${workerId}`, this.failRunsOf(workerId, reason));
        resolve(reason);
        if (this.stopping) return;
        this.startFailures = neverConnected ? this.startFailures + 1 : 0;
        if (this.startFailures >= 3) {
          // A worker that cannot start would be respawned forever: fail the queue, visibly.
          this.startFailures = 0;
          this.background('failing the queue', this.failQueued(`Could not start a training worker: it ${how} before connecting (see the server log).`));
          return;
        }
        // Runs may still be queued (the worker crashed between jobs): start another.
        setTimeout(() => this.poke(), neverConnected ? 1000 : 0).unref();
      });
    });
    child.once('error', (err) => this.opts.log(`could not start worker ${workerId}: ${err.message}`));
    this.local.set(workerId, { child, connected: false, exited });
    this.opts.log(`started worker ${workerId} (pid ${child.pid})`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
