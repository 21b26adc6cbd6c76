'use client';
// Writing a comment: the text (with a character count against the cap), and on a run where to pin
// it: nowhere, the latest step, a step picked on a chart, or the sample grid being shown.
import { useState } from 'react';
import { COMMENT_MAX_CHARS, commentBodySchema, type CommentTargetRef } from '../../lib/contracts/comments';
import type { CommentPin } from '../../lib/contracts/team';
import type { Pinning } from '../lib/annotations';
import { trpc, errorMessage } from '../lib/trpc';

type PinChoice = 'none' | 'latest' | 'picked' | 'grid';

function choiceOf(pinning: Pinning): PinChoice {
  const { pin, latestStep } = pinning;
  if (!pin) return 'none';
  if (pin.imageId !== undefined) return 'grid';
  return pin.step === latestStep ? 'latest' : 'picked';
}

export const pinLabel = (pin: CommentPin) => (pin.imageId !== undefined ? `sample grid, step ${pin.step}` : `step ${pin.step}`);

export function CommentComposer({ target, pinning, placeholder = 'Add a comment…' }: { target: CommentTargetRef; pinning?: Pinning; placeholder?: string }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const length = body.trim().length;
  const tooLong = length > COMMENT_MAX_CHARS;

  const submit = async () => {
    const checked = commentBodySchema.safeParse(body);
    if (!checked.success) return setError(checked.error.issues[0].message);
    setBusy(true);
    setError(null);
    try {
      await trpc.comments.add.mutate({ target, body: checked.data, pin: pinning?.pin ?? undefined });
      setBody('');
      pinning?.setPin(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const choose = (choice: PinChoice) => {
    if (!pinning) return;
    if (choice === 'none') pinning.setPin(null);
    if (choice === 'latest' && pinning.latestStep !== null) pinning.setPin({ step: pinning.latestStep });
    if (choice === 'grid' && pinning.shownGrid) pinning.setPin({ step: pinning.shownGrid.step, imageId: pinning.shownGrid.id });
  };
  const canPin = pinning && (pinning.latestStep !== null || pinning.shownGrid);

  return (
    <form
      className="space-y-2"
      data-testid="comment-composer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <textarea
        value={body}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => (e.metaKey || e.ctrlKey) && e.key === 'Enter' && void submit()}
        rows={3}
        placeholder={placeholder}
        aria-label="comment"
        data-testid="comment-input"
        className="w-full resize-y rounded border border-zinc-300 bg-white px-2 py-1.5 text-sm placeholder:text-zinc-400 focus:border-sky-600 focus:outline-none dark:border-zinc-700 dark:bg-zinc-950"
      />
      <div className="flex flex-wrap items-center gap-2 text-xs">
        {canPin && (
          <label className="flex items-center gap-1.5 text-zinc-600 dark:text-zinc-400">
            Pin to
            <select
              value={choiceOf(pinning)}
              onChange={(e) => choose(e.target.value as PinChoice)}
              data-testid="comment-pin"
              className="rounded border border-zinc-300 bg-white px-1.5 py-0.5 dark:border-zinc-700 dark:bg-zinc-950"
            >
              <option value="none">nothing</option>
              {pinning.latestStep !== null && <option value="latest">the latest step ({pinning.latestStep})</option>}
              {pinning.pin && choiceOf(pinning) === 'picked' && <option value="picked">step {pinning.pin.step} (picked on the chart)</option>}
              {pinning.shownGrid && <option value="grid">the sample grid shown (step {pinning.shownGrid.step})</option>}
            </select>
          </label>
        )}
        {canPin && !pinning.pin && <span className="text-zinc-400">or click a chart to pick a step</span>}
        <span className={`ml-auto tabular-nums ${tooLong ? 'font-medium text-rose-700 dark:text-rose-400' : 'text-zinc-400'}`} data-testid="comment-count">
          {length.toLocaleString('en')} / {COMMENT_MAX_CHARS.toLocaleString('en')}
        </span>
        <button
          type="submit"
          disabled={busy || length === 0}
          data-testid="comment-submit"
          className="rounded bg-sky-700 px-3 py-1 text-sm text-white hover:bg-sky-800 disabled:cursor-not-allowed disabled:opacity-50"
        >
          Comment
        </button>
      </div>
      <p className="text-[11px] text-zinc-400">**bold**, *italic*, `code`, [links](https://…) and line breaks</p>
      {error && <p className="rounded bg-rose-100 px-2 py-1 text-xs text-rose-900 dark:bg-rose-950 dark:text-rose-200" data-testid="comment-error">{error}</p>}
    </form>
  );
}
