// Queries on datasets (immutable versions; files live under DATA_DIR/<dir>).
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { datasets } from '../schema';

export type DatasetRow = typeof datasets.$inferSelect;

export function listDatasets(db: Db): DatasetRow[] {
  return db.select().from(datasets).orderBy(asc(datasets.createdAt)).all();
}

export function getDataset(db: Db, id: string): DatasetRow | undefined {
  return db.select().from(datasets).where(eq(datasets.id, id)).get();
}

export function findDatasetByName(db: Db, name: string): DatasetRow | undefined {
  return db.select().from(datasets).where(eq(datasets.name, name)).get();
}

/** A dataset named by its name or its id, as the command-line tools accept. */
export function findDataset(db: Db, nameOrId: string): DatasetRow | undefined {
  return findDatasetByName(db, nameOrId) ?? getDataset(db, nameOrId);
}

export function insertDataset(db: Db, row: DatasetRow): DatasetRow {
  return db.insert(datasets).values(row).returning().get();
}
