'use client';
// The comparison table with a comment thread per cell (model|technique|trainData, shared by every
// table showing that cell): a badge with the count on each cell opens its thread below the table.
import { useState } from 'react';
import type { TableCell } from '../../lib/stats/table';
import { trpc } from '../lib/trpc';
import { useLiveQuery } from '../lib/use-live-query';
import { useComments } from '../lib/use-comments';
import { ComparisonTable, columnLabel, rowLabel } from './comparison-table';
import { CommentsPanel } from './comments-panel';

function CellBadge({ count, open, onClick }: { count: number; open: boolean; onClick: () => void }) {
  const shown = count > 0 || open;
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label={count > 0 ? `${count} comment${count > 1 ? 's' : ''} on this cell` : 'comment on this cell'}
      aria-expanded={open}
      data-testid="cell-comments"
      data-count={count}
      className={`mt-0.5 inline-flex items-center gap-1 rounded-full px-1.5 text-[11px] leading-5 focus:opacity-100 ${
        open ? 'bg-sky-700 text-white' : 'bg-zinc-100 text-zinc-600 hover:bg-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:hover:bg-zinc-700'
      } ${shown ? '' : 'opacity-0 group-hover:opacity-100'}`}
    >
      <svg viewBox="0 0 16 16" className="h-3 w-3" fill="currentColor" aria-hidden>
        <path d="M2 3.5A1.5 1.5 0 0 1 3.5 2h9A1.5 1.5 0 0 1 14 3.5v6a1.5 1.5 0 0 1-1.5 1.5H7l-3 3v-3h-.5A1.5 1.5 0 0 1 2 9.5v-6Z" />
      </svg>
      {count > 0 ? count : '+'}
    </button>
  );
}

function CellThread({ cellKey, onClose }: { cellKey: string; onClose: () => void }) {
  const { comments, error } = useComments({ kind: 'cell', id: cellKey }, true);
  const [model, technique, trainData] = cellKey.split('|');
  return (
    <div className="relative" data-testid="cell-thread" data-cell={cellKey}>
      <button type="button" onClick={onClose} aria-label="close" className="absolute right-3 top-2.5 text-xs text-zinc-500 hover:text-zinc-900 dark:hover:text-zinc-100">Close</button>
      <CommentsPanel target={{ kind: 'cell', id: cellKey }} title={`${rowLabel(model, technique)} · ${columnLabel(trainData)}`} comments={comments} error={error} testId="cell-comments-panel" />
    </div>
  );
}

export function CommentedTable({ cells, testId }: { cells: TableCell[]; testId?: string }) {
  const [open, setOpen] = useState<string | null>(null);
  // Any comment change reloads the counts (one small query); cell changes are told to everyone.
  const { data: counts } = useLiveQuery(() => trpc.comments.cellCounts.query(), 'comments:updated');
  return (
    <div className="space-y-3">
      <ComparisonTable
        cells={cells}
        testId={testId}
        cellAddon={(key) => <CellBadge count={counts?.[key] ?? 0} open={open === key} onClick={() => setOpen(open === key ? null : key)} />}
      />
      {open && <CellThread key={open} cellKey={open} onClose={() => setOpen(null)} />}
    </div>
  );
}
