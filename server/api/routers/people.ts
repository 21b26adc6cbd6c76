// People: who I am (every signed-in person), and for admins the list, roles, invitations and
// removals (each in the activity log). Accounts themselves are made by accepting an invitation
// (invites.ts).
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { adminProcedure, createRouter, viewerProcedure } from '../trpc';
import { getPerson, listPeople, otherAdmins, removePerson, setPersonRole } from '../../../db/queries/people';
import { createInvite, inviteLink } from '../../auth/invites';
import { inviteCreateSchema, roles } from '../../../lib/contracts/team';
import { launcherId } from '../../auth/actor';
import { inviteSummary, roleChangeSummary } from '../../services/activity-summary';

const personInput = z.object({ id: z.string().min(1).max(64) });

export const peopleRouter = createRouter({
  /** The signed-in person: name, email and role (what the page shows and hides). */
  me: viewerProcedure.query(({ ctx }) => ({ id: ctx.actor.id, name: ctx.actor.name, email: ctx.actor.email, role: ctx.actor.role })),

  list: adminProcedure.query(({ ctx }) => listPeople(ctx.db)),

  setRole: adminProcedure.input(personInput.extend({ role: z.enum(roles) })).mutation(async ({ ctx, input }) => {
    const person = getPerson(ctx.db, input.id);
    if (!person) throw new TRPCError({ code: 'NOT_FOUND', message: 'This person no longer exists; reload the page.' });
    if (person.role === 'admin' && input.role !== 'admin' && otherAdmins(ctx.db, person.id) === 0) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'The dashboard needs at least one admin: make someone else admin first.' });
    }
    setPersonRole(ctx.db, input.id, input.role);
    if (person.role !== input.role) {
      ctx.activity.record({ userId: launcherId(ctx.actor), action: 'role-changed', targetKind: 'person', targetId: person.id, summary: roleChangeSummary(person.name, person.role, input.role) });
    }
    await ctx.hub.recheckSessions();
    return getPerson(ctx.db, input.id)!;
  }),

  remove: adminProcedure.input(personInput).mutation(async ({ ctx, input }) => {
    if (input.id === ctx.actor.id) throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot remove yourself; ask another admin.' });
    const person = getPerson(ctx.db, input.id);
    if (!person || !removePerson(ctx.db, input.id)) throw new TRPCError({ code: 'NOT_FOUND', message: 'This person no longer exists; reload the page.' });
    ctx.activity.record({ userId: launcherId(ctx.actor), action: 'deleted', targetKind: 'person', targetId: person.id, summary: `${person.name} (${person.email}, ${person.role})` });
    // Their sessions went with them: close their open sockets now.
    await ctx.hub.recheckSessions();
    return { removed: input.id };
  }),

  /** A one-time link granting `role`; shown to the admin once (only its hash is kept). */
  invite: adminProcedure.input(inviteCreateSchema).mutation(({ ctx, input }) => {
    const { id, token, expiresAt } = createInvite(ctx.db, { role: input.role, email: input.email, createdBy: launcherId(ctx.actor) });
    ctx.activity.record({ userId: launcherId(ctx.actor), action: 'invited', targetKind: 'invite', targetId: id, summary: inviteSummary(input.role, input.email) });
    return { link: inviteLink(ctx.publicUrl, token), role: input.role, email: input.email ?? null, expiresAt };
  }),
});
