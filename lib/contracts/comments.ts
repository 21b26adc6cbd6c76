// Comments on a run, a study or a comparison-table cell, optionally pinned to a training step or
// a sample grid of a run: the procedures' inputs, the view browsers show, and the live event.
import { z } from 'zod';
import { commentPinSchema, type CommentPin } from './team';
import { pageRefSchema, type PresencePerson } from './presence';

export const COMMENT_MAX_CHARS = 4000;

/** A cell of the comparison table: model|technique|trainData (technique empty for BrainCNN). */
export const cellKey = (model: string, technique: string, trainData: string) => `${model}|${technique}|${trainData}`;

export const cellKeySchema = z
  .string()
  .max(120)
  .regex(/^[^|\s]{1,32}\|[^|\s]{0,32}\|[^|\s]{1,48}$/, 'a table cell is model|technique|trainData');

export const commentTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('run'), id: pageRefSchema.shape.id }).strict(),
  z.object({ kind: z.literal('study'), id: pageRefSchema.shape.id }).strict(),
  z.object({ kind: z.literal('cell'), id: cellKeySchema }).strict(),
]);
export type CommentTargetRef = z.infer<typeof commentTargetSchema>;

export const commentBodySchema = z
  .string()
  .trim()
  .min(1, 'Write something first.')
  .max(COMMENT_MAX_CHARS, `A comment holds at most ${COMMENT_MAX_CHARS.toLocaleString('en')} characters; shorten it or split it in two.`);

export const commentAddSchema = z.object({ target: commentTargetSchema, body: commentBodySchema, pin: commentPinSchema.optional() }).strict();
export const commentIdSchema = z.object({ id: z.number().int().min(1) }).strict();
export const commentEditSchema = commentIdSchema.extend({ body: commentBodySchema }).strict();
export const commentListSchema = z.object({ target: commentTargetSchema }).strict();

export interface CommentView {
  id: number;
  target: CommentTargetRef;
  /** On runs only: the step (a marker on the charts) and, for a sample grid, its image. */
  pin: CommentPin | null;
  /** Plain text with a small markdown subset (lib/comment-markdown.ts); never HTML. */
  body: string;
  author: PresencePerson;
  createdAt: number;
  editedAt: number | null;
}

export interface CommentsToBrowserEvents {
  /** A comment on `target` was added, edited or removed: its page reloads the thread. Run and
   * study comments go to the page's room; cell comments to everyone (every table shows cells). */
  'comments:updated': (msg: { target: CommentTargetRef }) => void;
}
