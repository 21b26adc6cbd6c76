// Queries on a run's stream: metric points and log lines, appended in batches and read back in
// id order so a late-joining browser can merge the history with the live tail.
import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../client';
import { metricPoints, runLogs } from '../schema';
import type { MetricPoint, StoredMetricPoint } from '../../server/contracts/events';

export function appendMetricPoints(db: Db, runId: string, points: MetricPoint[]): StoredMetricPoint[] {
  return db.transaction((tx) =>
    points.map((p) => tx.insert(metricPoints).values({ runId, ...p }).returning().get()),
  );
}

export function listMetricPoints(db: Db, runId: string, afterId = 0): StoredMetricPoint[] {
  return db
    .select()
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

export function listLogs(db: Db, runId: string, limit = 500) {
  return db.select().from(runLogs).where(eq(runLogs.runId, runId)).orderBy(asc(runLogs.id)).limit(limit).all();
}
