'use client';
// The dashboard: every run with its live status, progress and test result.
import Link from 'next/link';
import { useRuns } from './lib/use-runs';
import { StatusBadge, ProgressBar } from './components/status-badge';
import { modelLabel, pct, time } from './lib/format';
import { isClassifierSummary } from '../server/contracts/events';

export default function DashboardPage() {
  const { runs, error } = useRuns();
  const active = runs?.filter((r) => r.status === 'running' || r.status === 'queued').length ?? 0;
  return (
    <div className="space-y-4">
      <div className="flex items-baseline justify-between">
        <h1 className="text-xl font-semibold">Runs</h1>
        <span className="text-sm text-zinc-500" data-testid="active-count">{runs ? `${active} active · ${runs.length} total` : 'loading…'}</span>
      </div>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">Could not load runs: {error}</p>}
      {runs && runs.length === 0 && (
        <div className="rounded border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No runs yet. <Link href="/runs/new" className="text-sky-700 underline dark:text-sky-400">Launch one</Link> — a <code>smoke</code> BrainCNN run on the demo data takes seconds.
        </div>
      )}
      {runs && runs.length > 0 && (
        <table className="w-full border-collapse text-sm" data-testid="runs-table">
          <thead>
            <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <th className="py-2 pr-3">Run</th>
              <th className="pr-3">Model</th>
              <th className="pr-3">Preset</th>
              <th className="pr-3 text-right">Seed</th>
              <th className="pr-3">Train data</th>
              <th className="pr-3">Status</th>
              <th className="pr-3">Progress</th>
              <th className="pr-3 text-right">Test acc.</th>
              <th className="pr-3 text-right">Test F1</th>
              <th className="pr-3">Backend</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-testid={`run-row-${run.id}`} className="border-b border-zinc-100 hover:bg-zinc-100 dark:border-zinc-900 dark:hover:bg-zinc-900">
                <td className="py-2 pr-3 font-mono text-xs">
                  <Link href={`/runs/${run.id}`} className="text-sky-700 hover:underline dark:text-sky-400">{run.id}</Link>
                </td>
                <td className="pr-3">{modelLabel(run)}</td>
                <td className="pr-3">{run.preset}</td>
                <td className="pr-3 text-right">{run.seed}</td>
                <td className="pr-3">{run.trainData}</td>
                <td className="pr-3"><StatusBadge status={run.status} /></td>
                <td className="pr-3"><ProgressBar value={run.progress} /></td>
                <td className="pr-3 text-right" data-testid="row-accuracy">{run.summary && isClassifierSummary(run.summary) ? pct(run.summary.accuracy) : '—'}</td>
                <td className="pr-3 text-right">{run.summary && isClassifierSummary(run.summary) ? pct(run.summary.f1) : '—'}</td>
                <td className="pr-3 font-mono text-xs">{run.backend ?? '—'}</td>
                <td className="text-xs text-zinc-500">{time(run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
