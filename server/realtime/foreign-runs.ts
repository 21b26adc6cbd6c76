// Several processes may share one DATA_DIR: the dashboard and command-line `train` / `study`
// runs, each with its own server, queue origin and workers. Each hears only its own workers'
// socket events, so every server polls the shared database every two seconds:
// - the dashboard relays other processes' runs to its browsers: run rows (status, progress),
//   study updates, and for runs someone is watching, new metric points, log lines and images. It
//   only broadcasts: it never advances another process's study or touches its runs;
// - every server notices its own runs cancelled by another process (a "Cancel run" clicked on
//   the dashboard for a command-line run): it stops the worker and moves its study on.
import { and, asc, desc, eq, gt, inArray, ne, or } from 'drizzle-orm';
import type { Server } from 'socket.io';
import type { Db } from '../../db/client';
import { metricPoints, runImages, runLogs, runs, studyNodes, type RunRow } from '../../db/schema';
import { runView } from '../../db/queries/runs';
import { listRunImages, storedPointColumns } from '../../db/queries/metrics';
import type { BrowserToServerEvents, ServerToBrowserEvents } from '../../lib/contracts/events';

type Io = Server<BrowserToServerEvents, ServerToBrowserEvents>;

export interface WatcherHooks {
  io: Io;
  /** Relay other processes' runs to this server's browsers (the dashboard does). */
  relayForeign: boolean;
  cancelOnWorker: (row: RunRow) => void;
  publishRun: (row: RunRow) => void;
}

export class ForeignRunWatcher {
  private readonly seen = new Map<string, string>();
  private readonly cursors = new Map<string, { point: number; log: number; image: number }>();
  private since = Date.now();
  private timer: NodeJS.Timeout | null = null;

  private readonly io: Io;
  private readonly handledCancels = new Set<string>();

  constructor(private readonly db: Db, private readonly origin: string, private readonly hooks: WatcherHooks, private readonly periodMs = 2000) {
    this.io = hooks.io;
  }

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
    this.ownCancels();
    if (this.hooks.relayForeign) this.relayForeign();
  }

  /** Own runs that another process marked cancelled while this process's worker trains them. */
  private ownCancels(): void {
    const rows = this.db.select().from(runs).where(and(eq(runs.origin, this.origin), eq(runs.status, 'cancelled'), gt(runs.finishedAt, Date.now() - 60_000))).all();
    for (const row of rows) {
      if (this.handledCancels.has(row.id) || !row.workerId) continue;
      this.handledCancels.add(row.id);
      this.hooks.cancelOnWorker(row);
      this.hooks.publishRun(row);
    }
  }

  private relayForeign(): void {
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
      this.io.emit('run:updated', runView(this.db, row));
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
    const points = this.db.select(storedPointColumns).from(metricPoints).where(and(eq(metricPoints.runId, runId), gt(metricPoints.id, cursor.point))).orderBy(asc(metricPoints.id)).limit(5000).all();
    if (points.length) {
      cursor.point = points[points.length - 1].id;
      if (watched) this.io.to(room).emit('run:metrics', { runId, points });
    }
    const logs = this.db.select().from(runLogs).where(and(eq(runLogs.runId, runId), gt(runLogs.id, cursor.log))).orderBy(asc(runLogs.id)).all();
    if (watched) for (const l of logs) this.io.to(room).emit('run:log', { runId, level: l.level, message: l.message, ts: l.ts });
    if (logs.length) cursor.log = logs[logs.length - 1].id;
    const images = listRunImages(this.db, runId, cursor.image);
    if (watched) for (const image of images) this.io.to(room).emit('run:image', { runId, image });
    if (images.length) cursor.image = Math.max(...images.map((i) => i.id));
  }
}
