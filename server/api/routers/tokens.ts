// Personal API tokens: each person lists, makes and revokes their own on Settings. A token acts as
// its owner (their current role) on tRPC, the API routes and the browser socket; it is shown once
// when made (only its SHA-256 is kept) and managing tokens needs a session, not a token.
import { TRPCError } from '@trpc/server';
import { createRouter, viewerProcedure } from '../trpc';
import { listApiTokens, revokeApiToken } from '../../../db/queries/tokens';
import { createApiToken } from '../../auth/tokens';
import { tokenCreateSchema, tokenIdSchema } from '../../../lib/contracts/tokens';

/** Signed in on the dashboard: a token cannot make more tokens or outlive its own revocation. */
const signedInProcedure = viewerProcedure.use(({ ctx, next }) => {
  if (ctx.actor.via !== 'session') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Tokens are managed by a signed-in person on the dashboard (Settings), not with a token or from the command line.' });
  }
  return next();
});

export const tokensRouter = createRouter({
  /** My tokens, newest first, revoked ones marked. */
  list: signedInProcedure.query(({ ctx }) => listApiTokens(ctx.db, ctx.actor.id)),

  /** A new token; the answer holds it once. */
  create: signedInProcedure.input(tokenCreateSchema).mutation(({ ctx, input }) => {
    const created = createApiToken(ctx.db, ctx.actor.id, input.name);
    ctx.activity.record({ userId: ctx.actor.id, action: 'token-created', targetKind: 'token', targetId: created.view.id, summary: `API token "${input.name}" (${created.view.prefix}…)` });
    return created;
  }),

  /** Refused at once from now on; sockets it opened are closed. */
  revoke: signedInProcedure.input(tokenIdSchema).mutation(({ ctx, input }) => {
    const revoked = revokeApiToken(ctx.db, ctx.actor.id, input.id);
    if (!revoked) throw new TRPCError({ code: 'NOT_FOUND', message: 'None of your open tokens has this id: it may be revoked already. Reload the page.' });
    ctx.hub.disconnectApiToken(revoked.id);
    ctx.activity.record({ userId: ctx.actor.id, action: 'token-revoked', targetKind: 'token', targetId: revoked.id, summary: `API token "${revoked.name}" (${revoked.prefix}…)` });
    return revoked;
  }),
});
