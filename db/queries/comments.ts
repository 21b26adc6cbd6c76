// Reads and writes of comments: a target's thread with its authors, one comment, and how many
// comments each comparison-table cell has (the badges on the table).
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { comments, user } from '../team-schema';
import { runs, studies } from '../schema';
import { commentPinSchema, type CommentPin } from '../../lib/contracts/team';
import type { CommentTargetRef, CommentView } from '../../lib/contracts/comments';
import { personColor } from '../../lib/person-color';

const viewColumns = {
  id: comments.id,
  targetKind: comments.targetKind,
  targetId: comments.targetId,
  pin: comments.pin,
  body: comments.body,
  createdAt: comments.createdAt,
  editedAt: comments.editedAt,
  authorId: comments.userId,
  authorName: user.name,
};

const selectViews = (db: Db) => db.select(viewColumns).from(comments).innerJoin(user, eq(user.id, comments.userId));
type ViewRow = NonNullable<ReturnType<ReturnType<typeof selectViews>['get']>>;

function toView(row: ViewRow): CommentView {
  // The pin column is JSON: read it through its schema, never trusted as it is.
  const pin = commentPinSchema.safeParse(row.pin);
  return {
    id: row.id,
    target: { kind: row.targetKind, id: row.targetId },
    pin: pin.success && (pin.data.step !== undefined || pin.data.imageId !== undefined) ? pin.data : null,
    body: row.body,
    author: { id: row.authorId, name: row.authorName, color: personColor(row.authorId) },
    createdAt: row.createdAt,
    editedAt: row.editedAt,
  };
}

/** The thread of a run, study or cell, oldest first. */
export function listComments(db: Db, target: CommentTargetRef): CommentView[] {
  return selectViews(db)
    .where(and(eq(comments.targetKind, target.kind), eq(comments.targetId, target.id)))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .all()
    .map(toView);
}

export function getComment(db: Db, id: number): CommentView | null {
  const row = selectViews(db).where(eq(comments.id, id)).get();
  return row ? toView(row) : null;
}

export function insertComment(db: Db, entry: { target: CommentTargetRef; pin: CommentPin | null; userId: string; body: string }): CommentView {
  const { id } = db
    .insert(comments)
    .values({ targetKind: entry.target.kind, targetId: entry.target.id, pin: entry.pin, userId: entry.userId, body: entry.body, createdAt: Date.now() })
    .returning({ id: comments.id })
    .get();
  return getComment(db, id)!;
}

export function editComment(db: Db, id: number, body: string): CommentView | null {
  db.update(comments).set({ body, editedAt: Date.now() }).where(eq(comments.id, id)).run();
  return getComment(db, id);
}

export function deleteComment(db: Db, id: number): boolean {
  return db.delete(comments).where(eq(comments.id, id)).run().changes === 1;
}

/** Comments per table cell key (cells without comments are absent). */
export function cellCommentCounts(db: Db): Record<string, number> {
  const rows = db
    .select({ key: comments.targetId, n: sql<number>`count(*)` })
    .from(comments)
    .where(eq(comments.targetKind, 'cell'))
    .groupBy(comments.targetId)
    .all();
  return Object.fromEntries(rows.map((r) => [r.key, r.n]));
}

/** Whether the run or study exists; any well-formed cell may be commented (even before it has runs). */
export function commentTargetExists(db: Db, target: CommentTargetRef): boolean {
  if (target.kind === 'run') return Boolean(db.select({ id: runs.id }).from(runs).where(eq(runs.id, target.id)).get());
  if (target.kind === 'study') return Boolean(db.select({ id: studies.id }).from(studies).where(eq(studies.id, target.id)).get());
  return true;
}
