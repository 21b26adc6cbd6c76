// Queries on a run's stream: metric points and log lines, appended in batches and read back in
// id order so a late-joining browser can merge the history with the live tail.
import { and, asc, desc, eq, gt, max, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { metricPoints, runImages, runLogs } from '../schema';
import type { MetricPoint, StoredMetricPoint } from '../../lib/contracts/events';

/** A stored point as browsers get it, live and in the history (StoredMetricPoint). */
export const storedPointColumns = { id: metricPoints.id, step: metricPoints.step, epoch: metricPoints.epoch, name: metricPoints.name, value: metricPoints.value };

/** One prepared insert per connection: building the query for every point cost ~220 µs a point
 * (a fifth of a core at 1,000 points a second, `npm run loadtest`); prepared, ~20 µs. */
const insertPointStatements = new WeakMap<Db, ReturnType<typeof prepareInsertPoint>>();
const prepareInsertPoint = (db: Db) =>
  db
    .insert(metricPoints)
    .values({ runId: sql.placeholder('runId'), step: sql.placeholder('step'), epoch: sql.placeholder('epoch'), name: sql.placeholder('name'), value: sql.placeholder('value') })
    .returning(storedPointColumns)
    .prepare();

export function appendMetricPoints(db: Db, runId: string, points: MetricPoint[]): StoredMetricPoint[] {
  let insert = insertPointStatements.get(db);
  if (!insert) insertPointStatements.set(db, (insert = prepareInsertPoint(db)));
  const statement = insert;
  return db.transaction(() => points.map((p) => statement.get({ runId, step: p.step, epoch: p.epoch, name: p.name, value: p.value })!));
}

export function listMetricPoints(db: Db, runId: string, afterId = 0): StoredMetricPoint[] {
  return db
    .select(storedPointColumns)
    .from(metricPoints)
    .where(and(eq(metricPoints.runId, runId), gt(metricPoints.id, afterId)))
    .orderBy(asc(metricPoints.id))
    .all();
}

export function appendLog(db: Db, runId: string, level: string, message: string): { ts: number } {
  const ts = Date.now();
  db.insert(runLogs).values({ runId, ts, level, message }).run();
  return { ts };
}

/** The run's last `limit` log lines, oldest first (a late joiner sees what happened lately). */
export function listLogs(db: Db, runId: string, limit = 500) {
  return db.select().from(runLogs).where(eq(runLogs.runId, runId)).orderBy(desc(runLogs.id)).limit(limit).all().reverse();
}

/** Images of a run (sample grids), in step order, with the URL the browser loads them from. */
export function listRunImages(db: Db, runId: string, afterId = 0) {
  return db.select().from(runImages).where(and(eq(runImages.runId, runId), gt(runImages.id, afterId))).orderBy(asc(runImages.step), asc(runImages.id)).all().map(toImageView);
}

export function insertRunImage(db: Db, runId: string, step: number, kind: string, file: string) {
  return toImageView(db.insert(runImages).values({ runId, step, kind, file, createdAt: Date.now() }).returning().get());
}

function toImageView(row: typeof runImages.$inferSelect) {
  return { id: row.id, step: row.step, kind: row.kind, url: `/api/runs/${row.runId}/images/${row.id}.png` };
}

/** One image of a run (null when it is another run's or does not exist). */
export function getRunImage(db: Db, runId: string, imageId: number) {
  const row = db.select().from(runImages).where(and(eq(runImages.runId, runId), eq(runImages.id, imageId))).get();
  return row ? toImageView(row) : null;
}

/** The run's last step with a metric point or an image, or null before its first step. */
export function lastRecordedStep(db: Db, runId: string): number | null {
  const points = db.select({ step: max(metricPoints.step) }).from(metricPoints).where(eq(metricPoints.runId, runId)).get()?.step ?? null;
  const images = db.select({ step: max(runImages.step) }).from(runImages).where(eq(runImages.runId, runId)).get()?.step ?? null;
  return points === null && images === null ? null : Math.max(points ?? 0, images ?? 0);
}

/** Removes what a run streamed after `step` (a run resumed from the end of an epoch trains those
 * steps again); returns how many points went and the files of the images that went. */
export function rewindStream(db: Db, runId: string, step: number): { points: number; files: string[] } {
  return db.transaction((tx) => {
    const points = tx.delete(metricPoints).where(and(eq(metricPoints.runId, runId), gt(metricPoints.step, step))).run().changes;
    const files = tx.delete(runImages).where(and(eq(runImages.runId, runId), gt(runImages.step, step))).returning({ file: runImages.file }).all().map((r) => r.file);
    return { points, files };
  });
}
