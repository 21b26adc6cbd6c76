// Queries on results: the cells of the comparison table.
import type { Db } from '../client';
import { results } from '../schema';
import type { ResultCell } from '../../server/contracts/events';

export function insertResults(db: Db, runId: string, datasetId: string, cells: ResultCell[]): void {
  db.transaction((tx) => {
    for (const cell of cells) tx.insert(results).values({ runId, datasetId, ...cell }).run();
  });
}

export function listResults(db: Db) {
  return db.select().from(results).all();
}
