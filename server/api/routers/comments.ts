// Comments on runs, studies and comparison-table cells: anyone signed in reads and writes them;
// a person edits and removes their own, an admin anyone's. A pin (a run's step or sample grid) is
// checked against the run. Stored first, then the page showing the target is told to reload.
import { TRPCError } from '@trpc/server';
import { createRouter, viewerProcedure } from '../trpc';
import type { Db } from '../../../db/client';
import type { Actor, CommentPin } from '../../../lib/contracts/team';
import { commentAddSchema, commentEditSchema, commentIdSchema, commentListSchema, type CommentTargetRef, type CommentView } from '../../../lib/contracts/comments';
import { cellCommentCounts, commentTargetExists, deleteComment, editComment, getComment, insertComment, listComments } from '../../../db/queries/comments';
import { getRunImage, lastRecordedStep } from '../../../db/queries/metrics';

const bad = (message: string) => new TRPCError({ code: 'BAD_REQUEST', message });

/** The pin as stored: a sample grid's pin carries its step too, so it marks the charts as well. */
function resolvePin(db: Db, target: CommentTargetRef, pin: CommentPin | undefined): CommentPin | null {
  if (!pin || (pin.step === undefined && pin.imageId === undefined)) return null;
  if (target.kind !== 'run') throw bad('Only comments on a run can be pinned to a step or a sample grid.');
  if (pin.imageId !== undefined) {
    const image = getRunImage(db, target.id, pin.imageId);
    if (!image || image.kind !== 'samples') throw bad(`Image ${pin.imageId} is not one of this run's sample grids; pick a grid on the run page.`);
    if (pin.step !== undefined && pin.step !== image.step) throw bad(`That sample grid is at step ${image.step}, not step ${pin.step}.`);
    return { step: image.step, imageId: image.id };
  }
  const last = lastRecordedStep(db, target.id);
  if (last === null) throw bad('This run has recorded no step yet; pin the comment once its first step is in.');
  if (pin.step! > last) throw bad(`Step ${pin.step} is past this run's last recorded step (${last}).`);
  return { step: pin.step };
}

/** Comments belong to people: the command line's system actor has no name to sign them with. */
function author(actor: Actor): string {
  if (actor.via === 'system') throw bad('Comments are signed by a person; sign in on the dashboard to comment.');
  return actor.id;
}

/** The comment, if `actor` may change it: its author, or an admin. */
function changeable(db: Db, actor: Actor, id: number, verb: 'edit' | 'delete'): CommentView {
  const comment = getComment(db, id);
  if (!comment) throw new TRPCError({ code: 'NOT_FOUND', message: 'This comment no longer exists; reload the page.' });
  if (comment.author.id !== actor.id && actor.role !== 'admin') {
    throw new TRPCError({ code: 'FORBIDDEN', message: `You can ${verb} only your own comments; ask ${comment.author.name} or an admin.` });
  }
  return comment;
}

const describe = (target: CommentTargetRef) => (target.kind === 'cell' ? `table cell ${target.id.replace(/\|/g, ' · ')}` : `${target.kind} ${target.id}`);
const excerpt = (body: string) => (body.length > 80 ? `${body.slice(0, 79)}…` : body).replace(/\s+/g, ' ');

export const commentsRouter = createRouter({
  list: viewerProcedure.input(commentListSchema).query(({ ctx, input }) => listComments(ctx.db, input.target)),

  /** How many comments each table cell has: the badges on the comparison tables. */
  cellCounts: viewerProcedure.query(({ ctx }) => cellCommentCounts(ctx.db)),

  add: viewerProcedure.input(commentAddSchema).mutation(({ ctx, input }) => {
    const userId = author(ctx.actor);
    if (!commentTargetExists(ctx.db, input.target)) throw new TRPCError({ code: 'NOT_FOUND', message: `No ${input.target.kind} with id ${input.target.id}.` });
    const pin = resolvePin(ctx.db, input.target, input.pin);
    const comment = insertComment(ctx.db, { target: input.target, pin, userId, body: input.body });
    ctx.activity.record({
      userId,
      action: 'commented',
      targetKind: input.target.kind === 'cell' ? 'comment' : input.target.kind,
      targetId: input.target.kind === 'cell' ? String(comment.id) : input.target.id,
      summary: `on ${describe(input.target)}${pin?.step !== undefined ? ` at step ${pin.step}` : ''}: ${excerpt(input.body)}`,
    });
    ctx.hub.publishComments(input.target);
    return comment;
  }),

  edit: viewerProcedure.input(commentEditSchema).mutation(({ ctx, input }) => {
    const comment = changeable(ctx.db, ctx.actor, input.id, 'edit');
    const edited = editComment(ctx.db, comment.id, input.body)!;
    ctx.hub.publishComments(comment.target);
    return edited;
  }),

  remove: viewerProcedure.input(commentIdSchema).mutation(({ ctx, input }) => {
    const comment = changeable(ctx.db, ctx.actor, input.id, 'delete');
    deleteComment(ctx.db, comment.id);
    if (comment.author.id !== ctx.actor.id) {
      ctx.activity.record({ userId: ctx.actor.id, action: 'deleted', targetKind: 'comment', targetId: String(comment.id), summary: `${comment.author.name}'s comment on ${describe(comment.target)}` });
    }
    ctx.hub.publishComments(comment.target);
    return { removed: comment.id };
  }),
});
