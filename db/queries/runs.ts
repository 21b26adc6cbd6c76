// Reads of runs: one run, the latest runs, and the browser's view of a run. Status changes go
// through the run queue (server/queue), the only writer of a run's state.
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { runs, type RunRow } from '../schema';
import type { RunView } from '../../lib/contracts/events';
import { personNames } from './people';

/** The browser's view of a run; `launchedBy` is the launcher's name (see runView). */
export function toRunView(row: RunRow, launchedBy: string | null = null): RunView {
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
    launchedBy,
  };
}

/** The view with the name of the person who launched it (null: the command line, a study's own
 * step, or a person since removed). */
export function runView(db: Db, row: RunRow): RunView {
  return runViews(db, [row])[0];
}

export function runViews(db: Db, rows: RunRow[]): RunView[] {
  const names = personNames(db, rows.map((r) => r.launchedBy));
  return rows.map((r) => toRunView(r, (r.launchedBy && names.get(r.launchedBy)) ?? null));
}

export function getRun(db: Db, id: string): RunRow | undefined {
  return db.select().from(runs).where(eq(runs.id, id)).get();
}

export function listRuns(db: Db, limit = 200): RunRow[] {
  return db.select().from(runs).orderBy(desc(runs.createdAt)).limit(limit).all();
}
