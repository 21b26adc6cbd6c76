// The comparison table from result rows, with each cell's runs that may not have converged (best
// validation epoch = last epoch trained) read from the runs' summaries: the flag lives in the
// summary, not in the result rows, so older rows need no migration.
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { runs } from '../../db/schema';
import { isClassifierSummary } from '../../lib/contracts/events';
import { summarizeCells, type ResultRow, type TableCell } from '../../lib/stats/table';

export function unconvergedRuns(db: Db, runIds: string[]): Set<string> {
  if (runIds.length === 0) return new Set();
  const rows = db.select({ id: runs.id, summary: runs.summary }).from(runs).where(inArray(runs.id, runIds)).all();
  return new Set(rows.filter((r) => r.summary && isClassifierSummary(r.summary) && r.summary.mayNotHaveConverged).map((r) => r.id));
}

export function resultsTable(db: Db, rows: ResultRow[]): TableCell[] {
  return summarizeCells(rows, unconvergedRuns(db, [...new Set(rows.map((r) => r.runId))]));
}
