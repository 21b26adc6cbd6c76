// Reads and writes of personal API tokens and worker tokens. Rows hold the token's SHA-256 only;
// a token is found by looking up the hash of what a request presents (server/auth/tokens.ts).
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../client';
import { apiTokens, user, workerTokens } from '../team-schema';
import type { TokenView } from '../../lib/contracts/tokens';

export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type WorkerTokenRow = typeof workerTokens.$inferSelect;
export type UserRow = typeof user.$inferSelect;

/** lastUsedAt is written at most this often per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const view = (r: ApiTokenRow | WorkerTokenRow): TokenView => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: r.createdAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
});

export function insertApiToken(db: Db, row: ApiTokenRow): TokenView {
  return view(db.insert(apiTokens).values(row).returning().get());
}

/** One person's tokens, newest first (revoked ones too, marked). */
export function listApiTokens(db: Db, userId: string): TokenView[] {
  return db.select().from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.createdAt)).all().map(view);
}

/** The unrevoked token with this hash and its owner. */
export function activeApiToken(db: Db, tokenHash: string): { token: ApiTokenRow; owner: UserRow } | undefined {
  return db
    .select({ token: apiTokens, owner: user })
    .from(apiTokens)
    .innerJoin(user, eq(user.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
    .get();
}

/** The unrevoked token with this id and its owner (an open socket asks again). */
export function activeApiTokenById(db: Db, id: string): { token: ApiTokenRow; owner: UserRow } | undefined {
  return db
    .select({ token: apiTokens, owner: user })
    .from(apiTokens)
    .innerJoin(user, eq(user.id, apiTokens.userId))
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .get();
}

/** Revokes one of `userId`'s tokens; the revoked row, or undefined if it was not theirs or not open. */
export function revokeApiToken(db: Db, userId: string, id: string, at = Date.now()): TokenView | undefined {
  const row = db.update(apiTokens).set({ revokedAt: at }).where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt))).returning().get();
  return row && view(row);
}

/** Records a use, unless one was recorded within the last minute (no write per request). */
export function touchApiToken(db: Db, id: string, at = Date.now()): void {
  db.update(apiTokens)
    .set({ lastUsedAt: at })
    .where(and(eq(apiTokens.id, id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, at - LAST_USED_RESOLUTION_MS))))
    .run();
}

export function insertWorkerToken(db: Db, row: WorkerTokenRow): TokenView {
  const inserted = db.insert(workerTokens).values(row).returning().get();
  return { ...view(inserted), createdBy: null };
}

/** Every worker token, newest first, with the name of the admin who made it. */
export function listWorkerTokens(db: Db): TokenView[] {
  return db
    .select({ token: workerTokens, creator: user.name })
    .from(workerTokens)
    .leftJoin(user, eq(user.id, workerTokens.createdBy))
    .orderBy(desc(workerTokens.createdAt))
    .all()
    .map((r) => ({ ...view(r.token), createdBy: r.creator }));
}

export function activeWorkerToken(db: Db, tokenHash: string): WorkerTokenRow | undefined {
  return db.select().from(workerTokens).where(and(eq(workerTokens.tokenHash, tokenHash), isNull(workerTokens.revokedAt))).get();
}

export function revokeWorkerToken(db: Db, id: string, at = Date.now()): TokenView | undefined {
  const row = db.update(workerTokens).set({ revokedAt: at }).where(and(eq(workerTokens.id, id), isNull(workerTokens.revokedAt))).returning().get();
  return row && view(row);
}

export function touchWorkerToken(db: Db, id: string, at = Date.now()): void {
  db.update(workerTokens)
    .set({ lastUsedAt: at })
    .where(and(eq(workerTokens.id, id), or(isNull(workerTokens.lastUsedAt), lt(workerTokens.lastUsedAt, at - LAST_USED_RESOLUTION_MS))))
    .run();
}
