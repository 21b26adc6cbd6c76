// One-time invitation links: a random 32-byte token, stored only as its SHA-256, with the role it
// grants and an expiry. The first start makes the first admin's; admins make the others.
import crypto from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { invites, user } from '../../db/team-schema';
import type { InviteAccept, Role } from '../../lib/contracts/team';
import type { Auth } from './auth';

export const INVITE_TTL_MS = 24 * 3600_000;

export class InviteError extends Error {}

const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export const inviteLink = (publicUrl: string, token: string) => `${publicUrl}/invite/${token}`;

/** A new invitation; the token is returned once and never stored. */
export function createInvite(db: Db, spec: { role: Role; email?: string; createdBy: string | null }): { id: string; token: string; expiresAt: number } {
  const id = `inv-${crypto.randomBytes(6).toString('hex')}`;
  const token = crypto.randomBytes(32).toString('base64url');
  const now = Date.now();
  const expiresAt = now + INVITE_TTL_MS;
  db.insert(invites).values({ id, tokenHash: hashToken(token), role: spec.role, email: spec.email ?? null, createdBy: spec.createdBy, createdAt: now, expiresAt }).run();
  return { id, token, expiresAt };
}

/** With nobody to sign in yet, a fresh setup link for the first admin (earlier unused ones go). */
export function ensureFirstAdminInvite(db: Db, publicUrl: string, log: (line: string) => void): void {
  const people = db.select({ n: sql<number>`count(*)` }).from(user).get()?.n ?? 0;
  if (people > 0) return;
  db.delete(invites).where(and(isNull(invites.createdBy), isNull(invites.usedAt))).run();
  const { token } = createInvite(db, { role: 'admin', createdBy: null });
  log(`Create the first admin account: ${inviteLink(publicUrl, token)}`);
}

type InviteRow = typeof invites.$inferSelect;

/** The open invitation of this token, or an error saying why it cannot be used. */
export function openInvite(db: Db, token: string): InviteRow {
  const row = db.select().from(invites).where(eq(invites.tokenHash, hashToken(token))).get();
  if (!row) throw new InviteError('This invitation link is not valid. Ask an admin for a new one.');
  if (row.usedAt) throw new InviteError('This invitation link has already been used. Sign in, or ask an admin for a new one.');
  if (row.expiresAt < Date.now()) throw new InviteError('This invitation link has expired. Ask an admin for a new one.');
  return row;
}

/** Creates the account with the invitation's role and marks the invitation used. */
export async function acceptInvite(db: Db, auth: Auth, input: InviteAccept): Promise<{ userId: string; role: Role }> {
  const invite = openInvite(db, input.token);
  if (invite.email && invite.email !== input.email) throw new InviteError(`This invitation is for ${invite.email}; use that address.`);
  // Claimed before the account exists, so two submissions of one link cannot make two accounts.
  const claimed = db.update(invites).set({ usedAt: Date.now() }).where(and(eq(invites.id, invite.id), isNull(invites.usedAt))).run();
  if (claimed.changes !== 1) throw new InviteError('This invitation link has already been used. Sign in, or ask an admin for a new one.');
  try {
    // Server-side, without a session: the admin plugin creates the user with the role given.
    const { user: created } = await auth.api.createUser({ body: { email: input.email, password: input.password, name: input.name, role: invite.role } });
    db.update(invites).set({ usedBy: created.id }).where(eq(invites.id, invite.id)).run();
    return { userId: created.id, role: invite.role };
  } catch (err) {
    db.update(invites).set({ usedAt: null }).where(eq(invites.id, invite.id)).run();
    const message = err instanceof Error ? err.message : String(err);
    if (/already exists/i.test(message)) throw new InviteError(`An account with ${input.email} already exists; sign in instead.`);
    throw new InviteError(`The account could not be created: ${message}`);
  }
}
