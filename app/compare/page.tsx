'use client';
// Every finished classifier run in one comparison table, filled in live as runs finish, with
// downloads of the table as CSV, JSON and LaTeX, and a comment thread per cell.
import { trpc } from '../lib/trpc';
import { useLiveQuery } from '../lib/use-live-query';
import { CommentedTable } from '../components/commented-table';
import { ExportLinks } from '../components/export-links';

export default function ComparePage() {
  const { data: cells, error } = useLiveQuery(() => trpc.results.table.query(), 'results:updated');

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold">Comparison: trained on real, synthetic or mixed data, tested on real data</h1>
        <ExportLinks base="/api/results/table" />
      </div>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900">{error}</p>}
      {cells && cells.length === 0 && <p className="text-sm text-zinc-500">No finished classifier runs yet: cells fill in here as runs finish.</p>}
      {cells && cells.length > 0 && <CommentedTable cells={cells} />}
    </div>
  );
}
