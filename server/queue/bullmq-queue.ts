// Team mode's run queue (REDIS_URL set): the runs table stays the record (the server is the one
// owner of the database), and BullMQ on Redis dispatches. Every queued run has a ticket in Redis
// for its next attempt; an agent that draws one asks the server for the job, and the database
// hands each run to one worker (a stale or cancelled ticket finds nothing). Retries stay the
// server's: a lost worker's run gets a ticket for its next attempt and resumes from its last
// uploaded epoch; BullMQ's stalled-job check tells the server when an agent stopped renewing its
// lock without its socket closing.
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { RunConfig } from '../../lib/contracts/run-config';
import type { RunSummary } from '../../lib/contracts/events';
import { DEFAULT_QUEUE_PREFIX, TEAM_QUEUES, parseTicketId, ticketId, type Ticket } from '../../lib/contracts/team-queue';
import type { ClaimingWorker, QueueCounts, RunQueue, RunRow } from './run-queue';
import type { SqliteRunQueue } from './sqlite-queue';

/** What the server does when a ticket's lock lapsed: the run is queued again (resuming) if that
 * ticket's attempt is the one running; a ticket that was never taken gets a fresh one; a ticket
 * that is no longer the run's current one is ignored. */
export async function onTicketLost(
  ticket: Ticket,
  reason: string,
  deps: { run: (runId: string) => RunRow | undefined; retry: (runId: string, reason: string) => Promise<unknown>; reissue: (row: RunRow) => Promise<void> },
): Promise<'retried' | 'reissued' | 'ignored'> {
  const row = deps.run(ticket.runId);
  if (row?.status === 'running' && row.attempts === ticket.attempt) {
    await deps.retry(row.id, `worker ${row.workerId}: ${reason}`);
    return 'retried';
  }
  if (row?.status === 'queued' && row.attempts === ticket.attempt - 1) {
    await deps.reissue(row);
    return 'reissued';
  }
  return 'ignored';
}

export interface BullmqQueueOptions {
  redisUrl: string;
  prefix?: string;
  /** Whether a GPU worker is attached (paper-preset runs are routed to the GPU queue then). */
  gpuAttached: () => boolean;
  /** A ticket's lock lapsed (its agent is gone or stuck): the server decides what the run needs. */
  ticketLost: (ticket: Ticket, reason: string) => void;
  log: (line: string) => void;
}

/** Tickets are single-attempt in BullMQ: the next attempt is a new ticket, issued by the server
 * with the run's resume point. Finished tickets are kept a day (completed) or a week (failed)
 * for inspection, then dropped. */
const TICKET_OPTIONS: JobsOptions = { attempts: 1, removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 7 * 24 * 3600, count: 10_000 } };

/** Our priority (higher first, default 0) as BullMQ's (1 first, up to 2^21). */
const bullPriority = (priority: number) => Math.min(2_000_000, Math.max(1, 1000 - priority));

export class BullmqRunQueue implements RunQueue {
  private readonly connection: Redis;
  private readonly queues: { any: Queue; gpu: Queue };
  private readonly events: QueueEvents[];

  constructor(private readonly inner: SqliteRunQueue, private readonly opts: BullmqQueueOptions) {
    this.connection = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', (err) => opts.log(`Redis at ${opts.redisUrl}: ${err.message}`));
    const prefix = opts.prefix ?? DEFAULT_QUEUE_PREFIX;
    this.queues = {
      any: new Queue(TEAM_QUEUES.any, { connection: this.connection, prefix }),
      gpu: new Queue(TEAM_QUEUES.gpu, { connection: this.connection, prefix }),
    };
    this.events = Object.values(TEAM_QUEUES).map((name) => {
      const events = new QueueEvents(name, { connection: { ...this.connection.options }, prefix });
      // A lapsed lock is reported as `stalled` (BullMQ puts the ticket back: drawn again, the
      // database refuses it) or, past maxStalledCount, as `failed`; either way the server decides.
      events.on('stalled', ({ jobId }) => {
        const ticket = parseTicketId(jobId);
        if (ticket) opts.ticketLost(ticket, 'its agent stopped renewing the queue lock (stalled)');
      });
      events.on('failed', ({ jobId, failedReason }) => {
        const ticket = parseTicketId(jobId);
        if (ticket) opts.ticketLost(ticket, /stall/i.test(failedReason) ? 'its agent stopped renewing the queue lock (stalled)' : `its ticket failed: ${failedReason}`);
      });
      events.on('error', (err) => opts.log(`Redis queue events: ${err.message}`));
      return events;
    });
  }

  /** Waits for Redis (a clear error at start-up rather than runs that never leave the queue). */
  async ready(): Promise<void> {
    await Promise.all([...Object.values(this.queues).map((q) => q.waitUntilReady()), ...this.events.map((e) => e.waitUntilReady())]);
  }

  /** Issues the ticket for a queued run's next attempt (idempotent: an existing live ticket stays). */
  async ticket(row: RunRow): Promise<void> {
    if (row.status !== 'queued') return;
    const ticket = { runId: row.id, attempt: row.attempts + 1 };
    const gpu = (row.config as { requireGpu?: boolean }).requireGpu === true || (row.preset === 'paper' && this.opts.gpuAttached());
    const queue = gpu ? this.queues.gpu : this.queues.any;
    const id = ticketId(ticket);
    for (const q of Object.values(this.queues)) {
      const existing = await q.getJob(id);
      if (!existing) continue;
      const state = await existing.getState();
      if (['waiting', 'prioritized', 'delayed', 'active', 'waiting-children'].includes(state)) return;
      await existing.remove().catch(() => undefined);
    }
    await queue.add('run', ticket, { ...TICKET_OPTIONS, jobId: id, priority: bullPriority(row.priority) });
  }

  /** Start-up: every queued run has its ticket (Redis may have been emptied or restarted). */
  async reconcile(origin: string): Promise<number> {
    const queued = await this.inner.queuedRuns(origin);
    for (const row of queued) await this.ticket(row);
    return queued.length;
  }

  private async withdraw(row: RunRow | undefined): Promise<void> {
    if (!row) return;
    const id = ticketId({ runId: row.id, attempt: row.attempts + 1 });
    // An active ticket cannot be removed (its lock is held): the database refuses its take.
    for (const q of Object.values(this.queues)) await q.remove(id).catch(() => 0);
  }

  async enqueue(config: RunConfig, origin: string, priority = 0, launchedBy: string | null = null): Promise<RunRow> {
    const row = await this.inner.enqueue(config, origin, priority, launchedBy);
    await this.ticket(row);
    return row;
  }

  claim(origin: string, worker: ClaimingWorker, leaseMs?: number): Promise<RunRow | undefined> {
    return this.inner.claim(origin, worker, leaseMs);
  }

  claimRun(runId: string, attempt: number, worker: ClaimingWorker, leaseMs?: number): Promise<RunRow | undefined> {
    return this.inner.claimRun(runId, attempt, worker, leaseMs);
  }

  extendLease(runId: string, workerId: string, leaseMs?: number): Promise<RunRow | undefined> {
    return this.inner.extendLease(runId, workerId, leaseMs);
  }

  updateProgress(runId: string, progress: number): Promise<RunRow | undefined> {
    return this.inner.updateProgress(runId, progress);
  }

  complete(runId: string, summary: RunSummary): Promise<RunRow | undefined> {
    return this.inner.complete(runId, summary);
  }

  async fail(runId: string, error: string): Promise<RunRow | undefined> {
    const row = await this.inner.fail(runId, error);
    // A queued run that failed (its dataset deleted…) leaves no ticket behind.
    await this.withdraw(row);
    return row;
  }

  async cancel(runId: string): Promise<RunRow | undefined> {
    const row = await this.inner.cancel(runId);
    await this.withdraw(row);
    return row;
  }

  async retry(runId: string, reason: string, maxAttempts: number): Promise<{ row: RunRow; requeued: boolean } | undefined> {
    const out = await this.inner.retry(runId, reason, maxAttempts);
    if (out?.requeued) await this.ticket(out.row);
    return out;
  }

  expiredLeases(origin: string, now: number): Promise<RunRow[]> {
    return this.inner.expiredLeases(origin, now);
  }

  async adopt(runId: string, from: string, to: string): Promise<RunRow | undefined> {
    const row = await this.inner.adopt(runId, from, to);
    if (row) await this.ticket(row);
    return row;
  }

  async requeue(runId: string): Promise<RunRow | undefined> {
    const row = await this.inner.requeue(runId);
    if (row) await this.ticket(row);
    return row;
  }

  counts(origin: string): Promise<QueueCounts> {
    return this.inner.counts(origin);
  }

  queuedRuns(origin: string): Promise<RunRow[]> {
    return this.inner.queuedRuns(origin);
  }

  runsHeldBy(workerId: string): Promise<RunRow[]> {
    return this.inner.runsHeldBy(workerId);
  }

  orphanedRuns(): Promise<RunRow[]> {
    return this.inner.orphanedRuns();
  }

  async close(): Promise<void> {
    await Promise.all([...this.events.map((e) => e.close()), ...Object.values(this.queues).map((q) => q.close())]);
    this.connection.disconnect();
  }
}
