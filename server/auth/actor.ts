// Who a request or a socket acts for: the person of a better-auth session cookie, or the system
// actor of this process's own command-line caller (a per-process secret that never leaves it).
import crypto from 'node:crypto';
import { z } from 'zod';
import { roles, type Actor } from '../../lib/contracts/team';
import type { Auth } from './auth';

/** The command-line tools on their in-process server: every right, and no person to record. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ id: 'system', name: 'command line', email: '', role: 'admin', via: 'system' });

/** `launchedBy` of what an actor launches: null for the system actor. */
export const launcherId = (actor: Actor): string | null => (actor.via === 'system' ? null : actor.id);

const roleOf = z.enum(roles).catch('viewer');

/** The session's person, or null when the cookie is missing, forged, expired or revoked. */
export async function actorFromHeaders(auth: Auth, headers: Headers): Promise<Actor | null> {
  if (!headers.get('cookie')) return null;
  // Re-reads the user every time (no cookie cache), so a role change or removal applies at once.
  const found = await auth.api.getSession({ headers, query: { disableCookieCache: true, disableRefresh: true } });
  if (!found || found.user.banned) return null;
  const { user } = found;
  return { id: user.id, name: user.name, email: user.email, role: roleOf.parse(user.role), via: 'session' };
}

/** A random secret made at start and kept in memory: the command line's own socket and HTTP
 * calls to its in-process server present it; nothing prints or stores it. */
export class SystemCredential {
  static readonly header = 'x-mri-system-credential';
  readonly token = crypto.randomBytes(32).toString('base64url');

  matches(candidate: unknown): boolean {
    if (typeof candidate !== 'string' || candidate.length !== this.token.length) return false;
    return crypto.timingSafeEqual(Buffer.from(candidate), Buffer.from(this.token));
  }
}
