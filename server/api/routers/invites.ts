// Joining through an invitation link: the only procedures that need no session. A person reads
// what the link grants, then creates their account and is signed in (and "joined" is logged).
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { createRouter, invitationProcedure } from '../trpc';
import { acceptInvite, InviteError, openInvite } from '../../auth/invites';
import { inviteAcceptSchema, inviteTokenSchema } from '../../../lib/contracts/team';

const asBadRequest = (err: unknown): never => {
  if (err instanceof InviteError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
  throw err;
};

export const invitesRouter = createRouter({
  /** The role (and email, if fixed) an open invitation grants. */
  lookup: invitationProcedure.input(z.object({ token: inviteTokenSchema })).query(({ ctx, input }) => {
    try {
      const invite = openInvite(ctx.db, input.token);
      return { role: invite.role, email: invite.email, expiresAt: invite.expiresAt };
    } catch (err) {
      return asBadRequest(err);
    }
  }),

  /** Creates the account with the invitation's role, uses up the link, and signs the person in. */
  accept: invitationProcedure.input(inviteAcceptSchema).mutation(async ({ ctx, input }) => {
    const joined = await acceptInvite(ctx.db, ctx.auth, input).catch(asBadRequest);
    ctx.activity.record({ userId: joined.userId, action: 'joined', targetKind: 'person', targetId: joined.userId, summary: `as ${joined.role}` });
    const { headers } = await ctx.auth.api.signInEmail({ body: { email: input.email, password: input.password }, returnHeaders: true });
    ctx.setCookies(headers.getSetCookie());
    return { role: joined.role };
  }),
});
