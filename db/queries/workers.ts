// Reads about workers for the Workers view: the runs each one is training now.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../client';
import { runs } from '../schema';
import type { HeldRunView } from '../../lib/contracts/workers';

/** The running runs of these workers, by worker id. */
export function runsHeldByWorkers(db: Db, workerIds: string[]): Map<string, HeldRunView[]> {
  const held = new Map<string, HeldRunView[]>();
  if (workerIds.length === 0) return held;
  const rows = db
    .select({ id: runs.id, model: runs.model, preset: runs.preset, progress: runs.progress, workerId: runs.workerId })
    .from(runs)
    .where(and(eq(runs.status, 'running'), inArray(runs.workerId, workerIds)))
    .all();
  for (const { workerId, ...run } of rows) if (workerId) held.set(workerId, [...(held.get(workerId) ?? []), run]);
  return held;
}
