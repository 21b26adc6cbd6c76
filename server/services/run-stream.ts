// What a run streams while it trains: metric points and log lines, stored (with their ids and
// times) before they are broadcast, so a browser that joins late loads them from the history.
import type { Db } from '../../db/client';
import { appendLog, appendMetricPoints } from '../../db/queries/metrics';
import type { MetricPoint, StoredMetricPoint } from '../../lib/contracts/events';
import { asDiskFull } from './disk-full';

export class RunStream {
  constructor(private readonly db: Db) {}

  recordMetrics(runId: string, points: MetricPoint[]): StoredMetricPoint[] {
    try {
      return appendMetricPoints(this.db, runId, points);
    } catch (err) {
      throw asDiskFull(err, `a batch of ${points.length} metric points`);
    }
  }

  recordLog(runId: string, level: string, message: string): { ts: number } {
    return appendLog(this.db, runId, level, message);
  }
}
