// Reads of runs: one run, the latest runs, and the browser's view of a run. Status changes go
// through the run queue (server/queue), the only writer of a run's state.
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { runs, type RunRow } from '../schema';
import type { RunView } from '../../lib/contracts/events';

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

export function getRun(db: Db, id: string): RunRow | undefined {
  return db.select().from(runs).where(eq(runs.id, id)).get();
}

export function listRuns(db: Db, limit = 200): RunRow[] {
  return db.select().from(runs).orderBy(desc(runs.createdAt)).limit(limit).all();
}
