'use client';
// A comment thread: each comment with its author's colour, time, pin and text, edit and delete for
// its author (and admins), and the composer. On a run, a comment picked on a chart is highlighted.
import { useEffect, useRef, useState } from 'react';
import { commentBodySchema, type CommentTargetRef, type CommentView } from '../../lib/contracts/comments';
import { trpc, errorMessage } from '../lib/trpc';
import { useMe } from '../lib/use-me';
import { CommentBody } from './comment-body';
import type { Pinning } from '../lib/annotations';
import { CommentComposer, pinLabel } from './comment-composer';
import { PersonDot } from './person-chips';

const when = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const quiet = 'text-xs text-zinc-500 hover:text-zinc-900 dark:hover:text-zinc-100';

function CommentItem({ comment, canChange, selected, onSelect }: { comment: CommentView; canChange: boolean; selected: boolean; onSelect?: (id: number | null) => void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const self = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (selected) self.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [selected]);
  const act = (fn: () => Promise<unknown>) => fn().then(() => (setEditing(null), setConfirming(false), setError(null)), (err) => setError(errorMessage(err)));
  const save = () => {
    const checked = commentBodySchema.safeParse(editing ?? '');
    if (!checked.success) return setError(checked.error.issues[0].message);
    void act(() => trpc.comments.edit.mutate({ id: comment.id, body: checked.data }));
  };

  return (
    <li
      ref={self}
      data-testid="comment"
      data-comment-id={comment.id}
      className={`rounded border-l-2 py-1.5 pl-3 pr-2 transition-colors ${selected ? 'bg-sky-50 dark:bg-sky-950/40' : ''}`}
      style={{ borderLeftColor: comment.author.color }}
    >
      <div className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs">
        <span className="inline-flex items-center gap-1.5 font-medium text-zinc-800 dark:text-zinc-200" data-testid="comment-author">
          <PersonDot color={comment.author.color} />
          {comment.author.name}
        </span>
        <span className="text-zinc-500">{when(comment.createdAt)}{comment.editedAt !== null && ' · edited'}</span>
        {comment.pin && (
          <button
            type="button"
            onClick={() => onSelect?.(selected ? null : comment.id)}
            className="rounded bg-zinc-100 px-1.5 py-0.5 text-zinc-600 hover:bg-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:hover:bg-zinc-700"
            data-testid="comment-pin-label"
            title="show on the chart"
          >
            <svg viewBox="0 0 16 16" className="mr-1 inline h-3 w-3 align-[-2px]" fill="currentColor" aria-hidden>
              <path d="M8 1.5a4.5 4.5 0 0 0-4.5 4.5c0 3.2 4.5 8.5 4.5 8.5s4.5-5.3 4.5-8.5A4.5 4.5 0 0 0 8 1.5Zm0 6.2a1.7 1.7 0 1 1 0-3.4 1.7 1.7 0 0 1 0 3.4Z" />
            </svg>
            {pinLabel(comment.pin)}
          </button>
        )}
        {canChange && editing === null && (
          <span className="ml-auto flex gap-3">
            <button type="button" className={quiet} onClick={() => setEditing(comment.body)} data-testid="comment-edit">Edit</button>
            {confirming ? (
              <span className="flex gap-2 text-xs">
                Delete?
                <button type="button" className="font-medium text-rose-700 dark:text-rose-400" onClick={() => void act(() => trpc.comments.remove.mutate({ id: comment.id }))} data-testid="comment-delete-confirm">Yes</button>
                <button type="button" className={quiet} onClick={() => setConfirming(false)}>No</button>
              </span>
            ) : (
              <button type="button" className={quiet} onClick={() => setConfirming(true)} data-testid="comment-delete">Delete</button>
            )}
          </span>
        )}
      </div>
      {editing === null ? (
        <CommentBody body={comment.body} className="mt-0.5 text-sm text-zinc-800 dark:text-zinc-200" />
      ) : (
        <div className="mt-1 space-y-1">
          <textarea value={editing} onChange={(e) => setEditing(e.target.value)} rows={3} aria-label="edit comment" className="w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950" />
          <div className="flex gap-2">
            <button type="button" onClick={save} className="rounded bg-sky-700 px-2 py-0.5 text-xs text-white hover:bg-sky-800">Save</button>
            <button type="button" onClick={() => (setEditing(null), setError(null))} className={quiet}>Cancel</button>
          </div>
        </div>
      )}
      {error && <p className="mt-1 text-xs text-rose-700 dark:text-rose-400">{error}</p>}
    </li>
  );
}

export interface CommentsPanelProps {
  target: CommentTargetRef;
  title: string;
  comments: CommentView[];
  error?: string | null;
  pinning?: Pinning;
  selectedId?: number | null;
  onSelect?: (id: number | null) => void;
  testId?: string;
}

export function CommentsPanel({ target, title, comments, error, pinning, selectedId = null, onSelect, testId = 'comments-panel' }: CommentsPanelProps) {
  const { me } = useMe();
  return (
    <section className="rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900" data-testid={testId} data-count={comments.length}>
      <h2 className="mb-2 flex items-baseline gap-2 text-sm font-semibold">
        {title}
        <span className="text-xs font-normal text-zinc-500">{comments.length === 0 ? 'none yet' : comments.length}</span>
      </h2>
      {error && <p className="mb-2 text-xs text-rose-700 dark:text-rose-400">{error}</p>}
      {comments.length > 0 && (
        <ol className="mb-3 max-h-96 space-y-2 overflow-auto">
          {comments.map((c) => (
            <CommentItem key={c.id} comment={c} canChange={!!me && (me.id === c.author.id || me.role === 'admin')} selected={selectedId === c.id} onSelect={onSelect} />
          ))}
        </ol>
      )}
      {me && <CommentComposer target={target} pinning={pinning} />}
    </section>
  );
}
