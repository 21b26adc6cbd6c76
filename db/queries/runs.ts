// Queries on runs: creation, the atomic claim, status changes, and the browser's view of a run.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { runs } from '../schema';
import type { RunConfig } from '../../lib/contracts/run-config';
import type { RunSummary, RunView } from '../../lib/contracts/events';

type RunRow = typeof runs.$inferSelect;

export function toRunView(row: RunRow): RunView {
  return {
    id: row.id,
    model: row.model,
    preset: row.preset,
    seed: row.seed,
    trainData: row.trainData,
    imageClass: 'imageClass' in row.config ? row.config.imageClass : null,
    datasetId: row.datasetId,
    status: row.status,
    backend: row.backend,
    workerId: row.workerId,
    progress: row.progress,
    error: row.error,
    summary: row.summary,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

export function newRunId(): string {
  const stamp = Date.now().toString(36);
  const random = Math.random().toString(36).slice(2, 7);
  return `r-${stamp}-${random}`;
}

export function insertRun(db: Db, config: RunConfig, origin: string, priority = 0): RunRow {
  return db
    .insert(runs)
    .values({
      id: newRunId(),
      kind: config.model === 'cnn' || config.model === 'cvae' ? 'classify' : config.model === 'synth' ? 'synthesize' : 'train-generator',
      model: config.model,
      preset: config.preset,
      seed: config.seed,
      trainData: config.trainData,
      datasetId: config.datasetId,
      config,
      status: 'queued',
      origin,
      priority,
      createdAt: Date.now(),
    })
    .returning()
    .get();
}

/** Hands the queued run of this origin with the highest priority (then the oldest) to a worker;
 * one statement, so two workers can never claim the same run. */
export function claimNextRun(db: Db, origin: string, workerId: string, backend: string): RunRow | undefined {
  const oldest = db
    .select({ id: runs.id })
    .from(runs)
    .where(and(eq(runs.status, 'queued'), eq(runs.origin, origin)))
    .orderBy(desc(runs.priority), asc(runs.createdAt))
    .limit(1);
  return db
    .update(runs)
    .set({ status: 'running', workerId, backend, startedAt: Date.now(), progress: 0 })
    .where(and(eq(runs.status, 'queued'), inArray(runs.id, oldest)))
    .returning()
    .get();
}

export function getRun(db: Db, id: string): RunRow | undefined {
  return db.select().from(runs).where(eq(runs.id, id)).get();
}

export function listRuns(db: Db, limit = 200): RunRow[] {
  return db.select().from(runs).orderBy(desc(runs.createdAt)).limit(limit).all();
}

export function countQueued(db: Db, origin: string): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(runs)
    .where(and(eq(runs.status, 'queued'), eq(runs.origin, origin)))
    .get();
  return row?.n ?? 0;
}

export function setProgress(db: Db, id: string, progress: number): RunRow | undefined {
  return db.update(runs).set({ progress }).where(and(eq(runs.id, id), eq(runs.status, 'running'))).returning().get();
}

export function completeRun(db: Db, id: string, summary: RunSummary): RunRow | undefined {
  return db
    .update(runs)
    .set({ status: 'succeeded', summary, progress: 1, finishedAt: Date.now() })
    .where(and(eq(runs.id, id), eq(runs.status, 'running')))
    .returning()
    .get();
}

/** Marks a queued or running run as failed; a finished run keeps its outcome. */
export function failRun(db: Db, id: string, error: string): RunRow | undefined {
  return db
    .update(runs)
    .set({ status: 'failed', error, finishedAt: Date.now() })
    .where(and(eq(runs.id, id), inArray(runs.status, ['queued', 'running'])))
    .returning()
    .get();
}

export function cancelRun(db: Db, id: string): RunRow | undefined {
  return db
    .update(runs)
    .set({ status: 'cancelled', error: 'cancelled by a user', finishedAt: Date.now() })
    .where(and(eq(runs.id, id), inArray(runs.status, ['queued', 'running'])))
    .returning()
    .get();
}

export function runningRunsOfWorker(db: Db, workerId: string): RunRow[] {
  return db.select().from(runs).where(and(eq(runs.status, 'running'), eq(runs.workerId, workerId))).all();
}

export function runsWithStatus(db: Db, origin: string, status: 'queued' | 'running'): RunRow[] {
  return db.select().from(runs).where(and(eq(runs.status, status), eq(runs.origin, origin))).all();
}

/** Every queued or running run, whatever its origin (for recovery after a crash). */
export function orphanedRuns(db: Db): RunRow[] {
  return db.select().from(runs).where(inArray(runs.status, ['queued', 'running'])).all();
}
