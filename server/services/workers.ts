// The workers table: which worker processes connected (with their pid, host, backend and the
// capabilities they reported), when each was last heard from, when it left, and whether an admin
// drained it. Every change but a heartbeat is announced, so the Workers page reloads.
import { and, desc, eq, gt, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../db/client';
import { workers } from '../../db/schema';
import type { workerHelloSchema } from '../../lib/contracts/events';

export type WorkerRow = typeof workers.$inferSelect;

/** Departed workers stay listed this long (their rows stay until removed). */
export const DEPARTED_LISTED_MS = 24 * 60 * 60 * 1000;

export class WorkerRegistry {
  constructor(
    private readonly db: Db,
    private readonly changed: () => void = () => {},
  ) {}

  /** A worker said hello: its row is written afresh, except whether it was drained (an admin's
   * drain holds across reconnects of the same worker id). */
  hello(hello: z.infer<typeof workerHelloSchema>): void {
    const now = Date.now();
    const caps = hello.capabilities;
    const row = {
      id: hello.workerId, pid: hello.pid, host: hello.host, backend: hello.backend, connectedAt: now, lastSeen: now, disconnectedAt: null,
      device: caps?.device ?? null, gpu: caps?.gpu ?? false, memoryMb: caps?.memoryMb ?? null, threads: caps?.threads ?? null,
      concurrency: caps?.concurrency ?? null, kind: caps?.kind ?? 'local',
    };
    this.db.insert(workers).values(row).onConflictDoUpdate({ target: workers.id, set: row }).run();
    this.changed();
  }

  /** A dashboard starting: no worker is connected to it yet, whatever the table says after a
   * crash (rows of the server's own workers from a command-line process still alive stay). */
  markStaleDisconnected(alive: (pid: number) => boolean, now = Date.now()): number {
    const open = this.db.select().from(workers).where(isNull(workers.disconnectedAt)).all();
    const stale = open.filter((w) => w.kind === 'agent' || !alive(w.pid));
    for (const w of stale) this.db.update(workers).set({ disconnectedAt: now }).where(eq(workers.id, w.id)).run();
    return stale.length;
  }

  seen(workerId: string, at = Date.now()): void {
    this.db.update(workers).set({ lastSeen: at }).where(eq(workers.id, workerId)).run();
  }

  disconnected(workerId: string): void {
    const { changes } = this.db.update(workers).set({ disconnectedAt: Date.now() }).where(eq(workers.id, workerId)).run();
    if (changes) this.changed();
  }

  /** Every worker seen, connected ones first, then newest first; those gone for more than
   * DEPARTED_LISTED_MS are left out. */
  list(now = Date.now()): WorkerRow[] {
    return this.db
      .select()
      .from(workers)
      .where(or(isNull(workers.disconnectedAt), gt(workers.disconnectedAt, now - DEPARTED_LISTED_MS)))
      .orderBy(sql`${workers.disconnectedAt} is not null`, desc(workers.connectedAt))
      .all();
  }

  get(workerId: string): WorkerRow | undefined {
    return this.db.select().from(workers).where(eq(workers.id, workerId)).get();
  }

  /** Drains the worker (it takes no new run) or resumes it; false if no such worker. */
  drain(workerId: string, drained: boolean): boolean {
    const { changes } = this.db.update(workers).set({ drainedAt: drained ? Date.now() : null }).where(eq(workers.id, workerId)).run();
    if (changes) this.changed();
    return changes > 0;
  }

  isDrained(workerId: string): boolean {
    return this.db.select({ id: workers.id }).from(workers).where(and(eq(workers.id, workerId), isNotNull(workers.drainedAt))).get() !== undefined;
  }

  /** Deletes the worker's row; false if there was none. */
  remove(workerId: string): boolean {
    const { changes } = this.db.delete(workers).where(eq(workers.id, workerId)).run();
    if (changes) this.changed();
    return changes > 0;
  }
}
