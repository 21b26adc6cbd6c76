// The workers table: which worker processes connected (with their pid, host and backend), when
// each was last heard from, and when it left.
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from '../../db/client';
import { workers } from '../../db/schema';
import type { workerHelloSchema } from '../../lib/contracts/events';

export class WorkerRegistry {
  constructor(private readonly db: Db) {}

  hello(hello: z.infer<typeof workerHelloSchema>): void {
    const now = Date.now();
    const row = { id: hello.workerId, pid: hello.pid, host: hello.host, backend: hello.backend, connectedAt: now, lastSeen: now, disconnectedAt: null };
    this.db.insert(workers).values(row).onConflictDoUpdate({ target: workers.id, set: row }).run();
  }

  seen(workerId: string, at = Date.now()): void {
    this.db.update(workers).set({ lastSeen: at }).where(eq(workers.id, workerId)).run();
  }

  disconnected(workerId: string): void {
    this.db.update(workers).set({ disconnectedAt: Date.now() }).where(eq(workers.id, workerId)).run();
  }
}
