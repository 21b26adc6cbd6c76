// Runs trained by another process on the same DATA_DIR (a command-line `train` or `study`) are
// written to the shared database by that process's own server, so this server hears none of
// their socket events. The watcher polls the database every two seconds and relays what changed
// to this server's browsers: run rows (status, progress), study updates, and for runs someone is
// watching, new metric points, log lines and images. It only broadcasts: it never advances a
// study or touches a run, which stay the owning process's business.
import { and, asc, desc, eq, gt, inArray, ne, or } from 'drizzle-orm';
import type { Server } from 'socket.io';
import type { Db } from '../../db/client';
import { metricPoints, runImages, runLogs, runs, studyNodes } from '../../db/schema';
import { toRunView } from '../../db/queries/runs';
import { listRunImages } from '../../db/queries/metrics';
import type { BrowserToServerEvents, ServerToBrowserEvents } from '../contracts/events';

type Io = Server<BrowserToServerEvents, ServerToBrowserEvents>;

export class ForeignRunWatcher {
  private readonly seen = new Map<string, string>();
  private readonly cursors = new Map<string, { point: number; log: number; image: number }>();
  private since = Date.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db, private readonly origin: string, private readonly io: Io, private readonly periodMs = 2000) {}

  start(): void {
    this.timer ??= setInterval(() => {
      try {
        this.poll();
      } catch {
        // A busy or closing database: try again at the next tick.
      }
    }, this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  poll(): void {
    const now = Date.now();
    const rows = this.db
      .select()
      .from(runs)
      .where(and(ne(runs.origin, this.origin), or(inArray(runs.status, ['queued', 'running']), gt(runs.finishedAt, this.since - this.periodMs))))
      .all();
    this.since = now;
    const changed: string[] = [];
    for (const row of rows) {
      const signature = `${row.status}|${row.progress.toFixed(3)}|${row.finishedAt ?? ''}`;
      if (this.seen.get(row.id) === signature) continue;
      this.seen.set(row.id, signature);
      this.io.emit('run:updated', toRunView(row));
      changed.push(row.id);
      if (row.status === 'succeeded') this.io.emit('results:updated');
    }
    if (changed.length > 0) {
      const studies = new Set(this.db.select({ studyId: studyNodes.studyId }).from(studyNodes).where(inArray(studyNodes.runId, changed)).all().map((r) => r.studyId));
      for (const studyId of studies) this.io.emit('study:updated', { studyId });
    }
    const running = new Set(rows.filter((r) => r.status === 'running').map((r) => r.id));
    for (const id of running) this.relayStream(id);
    for (const id of this.cursors.keys()) if (!running.has(id)) this.cursors.delete(id);
  }

  /** New points, log lines and images of a foreign run, sent to the browsers in its room. The
   * cursor starts at what exists when the run is first seen (a browser loads the history itself
   * after joining) and moves on every tick, watched or not. */
  private relayStream(runId: string): void {
    const room = `run:${runId}`;
    let cursor = this.cursors.get(runId);
    if (!cursor) {
      const max = (table: typeof metricPoints | typeof runLogs | typeof runImages) =>
        this.db.select({ id: table.id }).from(table).where(eq(table.runId, runId)).orderBy(desc(table.id)).limit(1).get()?.id ?? 0;
      this.cursors.set(runId, { point: max(metricPoints), log: max(runLogs), image: max(runImages) });
      return;
    }
    const watched = (this.io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0;
    const points = this.db.select().from(metricPoints).where(and(eq(metricPoints.runId, runId), gt(metricPoints.id, cursor.point))).orderBy(asc(metricPoints.id)).limit(5000).all();
    if (points.length) {
      cursor.point = points[points.length - 1].id;
      if (watched) this.io.to(room).emit('run:metrics', { runId, points });
    }
    const logs = this.db.select().from(runLogs).where(and(eq(runLogs.runId, runId), gt(runLogs.id, cursor.log))).orderBy(asc(runLogs.id)).all();
    if (watched) for (const l of logs) this.io.to(room).emit('run:log', { runId, level: l.level, message: l.message, ts: l.ts });
    if (logs.length) cursor.log = logs[logs.length - 1].id;
    const images = listRunImages(this.db, runId).filter((i) => i.id > cursor.image);
    if (watched) for (const image of images) this.io.to(room).emit('run:image', { runId, image });
    if (images.length) cursor.image = Math.max(...images.map((i) => i.id));
  }
}
