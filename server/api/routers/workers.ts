// Workers (everyone reads, admins act): the server's own worker processes and worker agents on
// other machines, with what they reported and the runs they hold; draining one (it finishes what
// it holds and takes nothing new) or resuming it, and removing one (its socket is closed, its runs
// go back to the queue, its row is deleted).
import { TRPCError } from '@trpc/server';
import { adminProcedure, createRouter, viewerProcedure } from '../trpc';
import { runsHeldByWorkers } from '../../../db/queries/workers';
import { workerDrainInputSchema, workerIdInputSchema, type WorkerView } from '../../../lib/contracts/workers';
import type { WorkerRegistry } from '../../services/workers';

const unknownWorker = (workerId: string) =>
  new TRPCError({ code: 'NOT_FOUND', message: `No worker has the id "${workerId}": it may have been removed already. Reload the Workers page.` });

function known(workers: WorkerRegistry, workerId: string) {
  const row = workers.get(workerId);
  if (!row) throw unknownWorker(workerId);
  return row;
}

export const workersRouter = createRouter({
  list: viewerProcedure.query(({ ctx }): WorkerView[] => {
    const rows = ctx.workers.list();
    const held = runsHeldByWorkers(ctx.db, rows.map((w) => w.id));
    return rows.map((w) => ({
      id: w.id, host: w.host, pid: w.pid, backend: w.backend,
      device: w.device, gpu: w.gpu, memoryMb: w.memoryMb, threads: w.threads, concurrency: w.concurrency, kind: w.kind,
      connected: w.disconnectedAt === null, lastSeen: w.lastSeen, disconnectedAt: w.disconnectedAt,
      drained: w.drainedAt !== null, runs: held.get(w.id) ?? [],
    }));
  }),

  /** How runs reach workers here (the page says whether agents draw from Redis). */
  dispatch: viewerProcedure.query(({ ctx }) => ctx.dispatch),

  drain: adminProcedure.input(workerDrainInputSchema).mutation(({ ctx, input }) => {
    const row = known(ctx.workers, input.workerId);
    ctx.workers.drain(input.workerId, input.drained);
    const told = ctx.hub.drainWorker(input.workerId, input.drained);
    // A resumed worker that sat idle is woken for what queued meanwhile.
    if (!input.drained) ctx.scheduler.poke();
    ctx.activity.record({ userId: ctx.actor.id, action: input.drained ? 'worker-drained' : 'worker-resumed', targetKind: 'worker', targetId: row.id, summary: `${row.id} on ${row.host}` });
    return { workerId: row.id, drained: input.drained, connected: told > 0 };
  }),

  remove: adminProcedure.input(workerIdInputSchema).mutation(({ ctx, input }) => {
    const row = known(ctx.workers, input.workerId);
    const disconnected = ctx.hub.removeWorker(input.workerId, ctx.actor.name);
    ctx.workers.remove(input.workerId);
    ctx.activity.record({ userId: ctx.actor.id, action: 'worker-removed', targetKind: 'worker', targetId: row.id, summary: `${row.id} on ${row.host}${disconnected ? ' (disconnected; its runs go back to the queue)' : ''}` });
    return { workerId: row.id, disconnected };
  }),
});
