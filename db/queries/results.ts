// Queries on results: the cells of the comparison table.
import { inArray } from 'drizzle-orm';
import type { Db } from '../client';
import { results } from '../schema';
import type { ResultCell } from '../../lib/contracts/events';

export function insertResults(db: Db, runId: string, datasetId: string, cells: ResultCell[]): void {
  db.transaction((tx) => {
    for (const cell of cells) tx.insert(results).values({ runId, datasetId, ...cell }).run();
  });
}

export function listResults(db: Db) {
  return db.select().from(results).all();
}

export function listResultsOfRuns(db: Db, runIds: string[]) {
  return runIds.length === 0 ? [] : db.select().from(results).where(inArray(results.runId, runIds)).all();
}
