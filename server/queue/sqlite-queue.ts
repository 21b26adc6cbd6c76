// The embedded run queue: the runs table of the shared SQLite database. Each change is one
// conditional UPDATE, so two workers (or two processes on one DATA_DIR) never both claim a run and
// a finished run keeps its outcome.
import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { runs } from '../../db/schema';
import type { RunConfig } from '../../lib/contracts/run-config';
import type { RunSummary } from '../../lib/contracts/events';
import { RUN_LEASE_MS, type ClaimingWorker, type QueueCounts, type RunQueue, type RunRow } from './run-queue';

export function newRunId(): string {
  const stamp = Date.now().toString(36);
  const random = Math.random().toString(36).slice(2, 7);
  return `r-${stamp}-${random}`;
}

const kindOf = (config: RunConfig) =>
  config.model === 'cnn' || config.model === 'cvae' ? 'classify' : config.model === 'synth' ? 'synthesize' : 'train-generator';

/** The runs a worker may take (see ClaimingWorker). */
function routing(worker: ClaimingWorker): SQL[] {
  const out: SQL[] = [];
  if (!worker.gpu) out.push(sql`coalesce(json_extract(${runs.config}, '$.requireGpu'), 0) = 0`);
  if (worker.avoidPaper) out.push(sql`${runs.preset} <> 'paper'`);
  return out;
}

/** Claim order: the highest priority, then the oldest (insertion order within one millisecond). */
const claimOrder = [desc(runs.priority), asc(runs.createdAt), asc(sql`rowid`)];

export class SqliteRunQueue implements RunQueue {
  constructor(private readonly db: Db) {}

  async enqueue(config: RunConfig, origin: string, priority = 0, launchedBy: string | null = null): Promise<RunRow> {
    return this.db
      .insert(runs)
      .values({
        id: newRunId(),
        kind: kindOf(config),
        model: config.model,
        preset: config.preset,
        seed: config.seed,
        trainData: config.trainData,
        datasetId: config.datasetId,
        config,
        status: 'queued',
        origin,
        priority,
        launchedBy,
        createdAt: Date.now(),
      })
      .returning()
      .get();
  }

  /** One statement: the select of the next run is a subquery of the update that takes it. */
  async claim(origin: string, worker: ClaimingWorker, leaseMs = RUN_LEASE_MS): Promise<RunRow | undefined> {
    const next = this.db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.status, 'queued'), eq(runs.origin, origin), ...routing(worker)))
      .orderBy(...claimOrder)
      .limit(1);
    return this.take(inArray(runs.id, next), worker, leaseMs);
  }

  async claimRun(runId: string, attempt: number, worker: ClaimingWorker, leaseMs = RUN_LEASE_MS): Promise<RunRow | undefined> {
    return this.take(and(eq(runs.id, runId), eq(runs.attempts, attempt - 1), ...routing({ ...worker, avoidPaper: false })), worker, leaseMs);
  }

  private take(which: SQL | undefined, worker: ClaimingWorker, leaseMs: number): RunRow | undefined {
    const now = Date.now();
    return this.db
      .update(runs)
      // A run taken up again keeps its first start and its progress until its worker reports.
      .set({ status: 'running', workerId: worker.workerId, backend: worker.backend, startedAt: sql`coalesce(${runs.startedAt}, ${now})`, leaseUntil: now + leaseMs, attempts: sql`${runs.attempts} + 1` })
      .where(and(eq(runs.status, 'queued'), which))
      .returning()
      .get();
  }

  async extendLease(runId: string, workerId: string, leaseMs = RUN_LEASE_MS): Promise<RunRow | undefined> {
    return this.db
      .update(runs)
      .set({ leaseUntil: Date.now() + leaseMs })
      .where(and(eq(runs.id, runId), eq(runs.status, 'running'), eq(runs.workerId, workerId)))
      .returning()
      .get();
  }

  async updateProgress(runId: string, progress: number): Promise<RunRow | undefined> {
    return this.db.update(runs).set({ progress }).where(and(eq(runs.id, runId), eq(runs.status, 'running'))).returning().get();
  }

  async complete(runId: string, summary: RunSummary): Promise<RunRow | undefined> {
    return this.db
      .update(runs)
      .set({ status: 'succeeded', summary, progress: 1, finishedAt: Date.now(), leaseUntil: null })
      .where(and(eq(runs.id, runId), eq(runs.status, 'running')))
      .returning()
      .get();
  }

  async fail(runId: string, error: string): Promise<RunRow | undefined> {
    return this.finish(runId, { status: 'failed', error });
  }

  async cancel(runId: string): Promise<RunRow | undefined> {
    return this.finish(runId, { status: 'cancelled', error: 'cancelled by a user' });
  }

  async requeue(runId: string): Promise<RunRow | undefined> {
    return this.db
      .update(runs)
      .set({ status: 'queued', workerId: null, backend: null, leaseUntil: null, progress: 0, error: null, summary: null, startedAt: null, finishedAt: null, attempts: 0, attemptErrors: [] })
      .where(and(eq(runs.id, runId), inArray(runs.status, ['running', 'failed', 'cancelled'])))
      .returning()
      .get();
  }

  async retry(runId: string, reason: string, maxAttempts: number): Promise<{ row: RunRow; requeued: boolean } | undefined> {
    return this.db.transaction((tx) => {
      const run = tx.select().from(runs).where(and(eq(runs.id, runId), eq(runs.status, 'running'))).get();
      if (!run) return undefined;
      const errors = [...run.attemptErrors, reason];
      if (run.attempts < maxAttempts) {
        const row = tx
          .update(runs)
          .set({ status: 'queued', workerId: null, backend: null, leaseUntil: null, attemptErrors: errors })
          .where(and(eq(runs.id, runId), eq(runs.status, 'running')))
          .returning()
          .get();
        return { row, requeued: true };
      }
      const error = errors.length === 1 ? errors[0] : `Failed after ${errors.length} attempts: ${errors.map((e, i) => `(${i + 1}) ${e}`).join(' ')}`;
      const row = tx
        .update(runs)
        .set({ status: 'failed', error, attemptErrors: errors, finishedAt: Date.now(), leaseUntil: null })
        .where(and(eq(runs.id, runId), eq(runs.status, 'running')))
        .returning()
        .get();
      return { row, requeued: false };
    });
  }

  async expiredLeases(origin: string, now: number): Promise<RunRow[]> {
    return this.db.select().from(runs).where(and(eq(runs.status, 'running'), eq(runs.origin, origin), lt(runs.leaseUntil, now))).all();
  }

  async adopt(runId: string, from: string, to: string): Promise<RunRow | undefined> {
    return this.db
      .update(runs)
      .set({ origin: to })
      .where(and(eq(runs.id, runId), eq(runs.origin, from), inArray(runs.status, ['queued', 'running'])))
      .returning()
      .get();
  }

  async counts(origin: string): Promise<QueueCounts> {
    const rows = this.db
      .select({ status: runs.status, n: sql<number>`count(*)` })
      .from(runs)
      .where(and(eq(runs.origin, origin), inArray(runs.status, ['queued', 'running'])))
      .groupBy(runs.status)
      .all();
    const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
    return { queued: count('queued'), running: count('running') };
  }

  async queuedRuns(origin: string): Promise<RunRow[]> {
    return this.db.select().from(runs).where(and(eq(runs.status, 'queued'), eq(runs.origin, origin))).orderBy(...claimOrder).all();
  }

  async runsHeldBy(workerId: string): Promise<RunRow[]> {
    return this.db.select().from(runs).where(and(eq(runs.status, 'running'), eq(runs.workerId, workerId))).all();
  }

  async orphanedRuns(): Promise<RunRow[]> {
    return this.db.select().from(runs).where(inArray(runs.status, ['queued', 'running'])).all();
  }

  /** Ends a queued or running run; a finished run keeps its outcome. */
  private finish(runId: string, outcome: { status: 'failed' | 'cancelled'; error: string }): RunRow | undefined {
    return this.db
      .update(runs)
      .set({ ...outcome, finishedAt: Date.now(), leaseUntil: null })
      .where(and(eq(runs.id, runId), inArray(runs.status, ['queued', 'running'])))
      .returning()
      .get();
  }
}
