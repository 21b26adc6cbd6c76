// Reads and writes of people: the People page's list, role changes, removals, and the names shown
// as "launched by". Accounts are created by better-auth (server/auth), never here.
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { user } from '../team-schema';
import { roles, type PersonView, type Role } from '../../lib/contracts/team';

const asRole = (r: string | null): Role => ((roles as readonly string[]).includes(r ?? '') ? (r as Role) : 'viewer');

export function listPeople(db: Db): PersonView[] {
  return db.select().from(user).orderBy(user.createdAt).all().map((u) => ({ id: u.id, name: u.name, email: u.email, role: asRole(u.role), createdAt: u.createdAt.getTime() }));
}

export function getPerson(db: Db, id: string): PersonView | undefined {
  return listPeople(db).find((p) => p.id === id);
}

/** Admins other than `exceptId`: a change may not leave the dashboard without one. */
export function otherAdmins(db: Db, exceptId: string): number {
  return db.select({ n: sql<number>`count(*)` }).from(user).where(and(eq(user.role, 'admin'), ne(user.id, exceptId))).get()?.n ?? 0;
}

export function setPersonRole(db: Db, id: string, role: Role): void {
  db.update(user).set({ role, updatedAt: new Date() }).where(eq(user.id, id)).run();
}

/** Deletes the person; their sessions and sign-in accounts go with them (foreign keys). */
export function removePerson(db: Db, id: string): boolean {
  return db.delete(user).where(eq(user.id, id)).run().changes === 1;
}

/** Names of the given user ids (ids of removed people are absent). */
export function personNames(db: Db, ids: (string | null)[]): Map<string, string> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  return new Map(db.select({ id: user.id, name: user.name }).from(user).where(inArray(user.id, wanted)).all().map((u) => [u.id, u.name]));
}
