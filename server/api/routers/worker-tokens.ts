// Worker tokens (admins, signed in): one per worker agent on another machine, which connects to
// "/workers" with it. Shown once when made; revoking one disconnects its workers at once, ignores
// anything they still send, and refuses their next handshake.
import { TRPCError } from '@trpc/server';
import { adminProcedure, createRouter } from '../trpc';
import { listWorkerTokens, revokeWorkerToken } from '../../../db/queries/tokens';
import { createWorkerToken } from '../../auth/tokens';
import { tokenCreateSchema, tokenIdSchema } from '../../../lib/contracts/tokens';

const signedInAdmin = adminProcedure.use(({ ctx, next }) => {
  if (ctx.actor.via !== 'session') throw new TRPCError({ code: 'FORBIDDEN', message: 'Worker tokens are managed by a signed-in admin on the People page, not with a token.' });
  return next();
});

export const workerTokensRouter = createRouter({
  list: signedInAdmin.query(({ ctx }) => listWorkerTokens(ctx.db)),

  create: signedInAdmin.input(tokenCreateSchema).mutation(({ ctx, input }) => {
    const created = createWorkerToken(ctx.db, ctx.actor.id, input.name);
    ctx.activity.record({ userId: ctx.actor.id, action: 'token-created', targetKind: 'worker-token', targetId: created.view.id, summary: `worker token "${input.name}" (${created.view.prefix}…)` });
    return { ...created, view: { ...created.view, createdBy: ctx.actor.name } };
  }),

  revoke: signedInAdmin.input(tokenIdSchema).mutation(({ ctx, input }) => {
    const revoked = revokeWorkerToken(ctx.db, input.id);
    if (!revoked) throw new TRPCError({ code: 'NOT_FOUND', message: 'No open worker token has this id: it may be revoked already. Reload the page.' });
    const disconnected = ctx.hub.revokeWorkerToken(revoked.id);
    ctx.activity.record({ userId: ctx.actor.id, action: 'token-revoked', targetKind: 'worker-token', targetId: revoked.id, summary: `worker token "${revoked.name}" (${revoked.prefix}…)${disconnected ? `; ${disconnected} worker(s) disconnected` : ''}` });
    return { ...revoked, disconnected };
  }),
});
