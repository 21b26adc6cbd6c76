// Personal API tokens and worker tokens: 32 random bytes in base64url behind a recognisable prefix,
// stored only as their SHA-256 (base64url, as better-auth's api-key plugin hashes its keys). A
// presented token is checked by looking its hash up: the lookup is of a digest the caller cannot
// steer, so no timing comparison of secrets is involved.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/client';
import {
  activeApiToken, activeApiTokenById, activeWorkerToken, insertApiToken, insertWorkerToken, LAST_USED_RESOLUTION_MS, touchApiToken,
  touchWorkerToken, type UserRow, type WorkerTokenRow,
} from '../../db/queries/tokens';
import { roles, type Actor } from '../../lib/contracts/team';
import {
  API_TOKEN_PREFIX, apiTokenSchema, SHOWN_PREFIX_LENGTH, WORKER_TOKEN_PREFIX, workerTokenSchema, type CreatedToken,
} from '../../lib/contracts/tokens';

export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('base64url');

/** What a request with a Bearer token that is not an open API token is told (401). */
export const REFUSED_TOKEN = 'This API token is not valid: it was revoked, mistyped, or made on another dashboard. Make a new one under Settings.';

/** Whether a use should be written now: lastUsedAt is kept to the minute, so most requests only read. */
const due = (lastUsedAt: number | null, now: number) => lastUsedAt === null || now - lastUsedAt >= LAST_USED_RESOLUTION_MS;

const newToken = (prefix: string) => `${prefix}${crypto.randomBytes(32).toString('base64url')}`;
const newId = (kind: 'tok' | 'wtk') => `${kind}-${crypto.randomBytes(8).toString('hex')}`;

/** A new personal API token of `userId`; the token is returned once and never stored. */
export function createApiToken(db: Db, userId: string, name: string): CreatedToken {
  const token = newToken(API_TOKEN_PREFIX);
  const view = insertApiToken(db, { id: newId('tok'), userId, name, tokenHash: hashToken(token), prefix: token.slice(0, SHOWN_PREFIX_LENGTH), createdAt: Date.now(), lastUsedAt: null, revokedAt: null });
  return { token, view };
}

/** A new worker token made by an admin; returned once and never stored. */
export function createWorkerToken(db: Db, createdBy: string | null, name: string): CreatedToken {
  const token = newToken(WORKER_TOKEN_PREFIX);
  const view = insertWorkerToken(db, { id: newId('wtk'), name, tokenHash: hashToken(token), prefix: token.slice(0, SHOWN_PREFIX_LENGTH), createdBy, createdAt: Date.now(), lastUsedAt: null, revokedAt: null });
  return { token, view };
}

const roleOf = z.enum(roles).catch('viewer');
const ownerActor = (owner: UserRow): Actor | null =>
  owner.banned ? null : { id: owner.id, name: owner.name, email: owner.email, role: roleOf.parse(owner.role), via: 'token' };

/** The owner of an open API token, with their current role, and the token's id; null for a
 * malformed, unknown or revoked token. Records the use (at most once a minute). */
export function actorFromApiToken(db: Db, presented: unknown): { actor: Actor; tokenId: string } | null {
  const token = apiTokenSchema.safeParse(presented);
  if (!token.success) return null;
  const found = activeApiToken(db, hashToken(token.data));
  const actor = found && ownerActor(found.owner);
  if (!found || !actor) return null;
  const now = Date.now();
  if (due(found.token.lastUsedAt, now)) touchApiToken(db, found.token.id, now);
  return { actor, tokenId: found.token.id };
}

/** The owner of an API token by its id, asked again for an open socket; null once revoked. */
export function actorOfApiTokenId(db: Db, tokenId: string): Actor | null {
  const found = activeApiTokenById(db, tokenId);
  return found ? ownerActor(found.owner) : null;
}

/** What an `Authorization: Bearer …` header presents ('' when malformed); null without one. Other
 * schemes (a proxy's Basic authentication) are not ours: the cookie still decides then. */
export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) return null;
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? '';
}

/** The open worker token presented, or null. Records the use (at most once a minute). */
export function openWorkerToken(db: Db, presented: unknown): WorkerTokenRow | null {
  const token = workerTokenSchema.safeParse(presented);
  if (!token.success) return null;
  const row = activeWorkerToken(db, hashToken(token.data));
  if (!row) return null;
  const now = Date.now();
  if (due(row.lastUsedAt, now)) touchWorkerToken(db, row.id, now);
  return row;
}
