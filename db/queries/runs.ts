// Reads of runs: one run, the latest runs (everyone's or one launcher's), who launched runs, and
// the browser's view of a run. Status changes go through the run queue (server/queue), the only
// writer of a run's state.
import { asc, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { runs, type RunRow } from '../schema';
import { user } from '../team-schema';
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
    launchedById: row.launchedBy,
    attempts: row.attempts,
    attemptErrors: row.attemptErrors,
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

/** The newest runs; `launchedBy` keeps one person's (an id) or the command line's (null). */
export function listRuns(db: Db, limit = 200, launchedBy?: string | null): RunRow[] {
  const where = launchedBy === undefined ? undefined : launchedBy === null ? isNull(runs.launchedBy) : eq(runs.launchedBy, launchedBy);
  return db.select().from(runs).where(where).orderBy(desc(runs.createdAt)).limit(limit).all();
}

/** The people who launched runs, by name, and whether the command line launched any. */
export function listLaunchers(db: Db): { people: { id: string; name: string }[]; commandLine: boolean } {
  const people = db.selectDistinct({ id: user.id, name: user.name }).from(runs).innerJoin(user, eq(user.id, runs.launchedBy)).where(isNotNull(runs.launchedBy)).orderBy(asc(user.name)).all();
  const commandLine = (db.select({ n: sql<number>`count(*)` }).from(runs).where(isNull(runs.launchedBy)).get()?.n ?? 0) > 0;
  return { people, commandLine };
}
