'use client';
// The dashboard: running studies, and every run with its live status, progress, test result and
// who launched it; `?by=<person id>` (or `?by=command-line`) keeps one launcher's runs.
import Link from 'next/link';
import { Suspense } from 'react';
import { useRuns } from './lib/use-runs';
import { StatusBadge, ProgressBar } from './components/status-badge';
import { modelLabel, pct, personLabel, time } from './lib/format';
import { isAnomalySummary, isClassifierSummary, type RunView } from '../lib/contracts/events';
import { trpc } from './lib/trpc';
import { useLiveQuery } from './lib/use-live-query';
import { StudyStatus } from './components/study-status';
import { useMe } from './lib/use-me';
import { useQueryParam } from './lib/use-query-param';
import { COMMAND_LINE, LauncherFilter } from './components/launcher-filter';

/** Test accuracy and F1; for the CVAE, of the technique with the best validation F1. */
function headline(run: RunView): { accuracy: string; f1: string } | null {
  if (!run.summary) return null;
  if (isClassifierSummary(run.summary)) return { accuracy: pct(run.summary.accuracy), f1: pct(run.summary.f1) };
  if (isAnomalySummary(run.summary)) {
    const best = [...run.summary.techniques].sort((a, b) => b.validationF1 - a.validationF1)[0];
    return { accuracy: `${pct(best.accuracy)} (${best.technique})`, f1: pct(best.f1) };
  }
  return null;
}

// The filter lives in the URL, which the page reads on the client (hence the Suspense boundary).
export default function DashboardPage() {
  return (
    <Suspense>
      <Dashboard />
    </Suspense>
  );
}

function Dashboard() {
  const [by, setBy] = useQueryParam('by');
  const { runs, error } = useRuns(by === null ? undefined : by === COMMAND_LINE ? null : by);
  const { can } = useMe();
  const { data: studies } = useLiveQuery(() => trpc.studies.list.query(), 'study:updated');
  const activeStudies = studies?.filter((s) => s.status === 'running') ?? [];
  const active = runs?.filter((r) => r.status === 'running' || r.status === 'queued').length ?? 0;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold">Runs</h1>
        <LauncherFilter value={by} onChange={setBy} />
        <span className="ml-auto text-sm text-zinc-500" data-testid="active-count">{runs ? `${active} active · ${runs.length} ${by ? 'shown' : 'total'}` : 'loading…'}</span>
      </div>
      {activeStudies.length > 0 && (
        <ul className="space-y-1 rounded border border-sky-200 bg-sky-50 px-3 py-2 text-sm dark:border-sky-900 dark:bg-sky-950" data-testid="active-studies">
          {activeStudies.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center gap-3">
              <Link href={`/studies/${s.id}`} className="font-medium text-sky-700 hover:underline dark:text-sky-400">{s.name}</Link>
              <StudyStatus status={s.status} counts={s.counts} />
            </li>
          ))}
        </ul>
      )}
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">Could not load runs: {error}</p>}
      {runs && runs.length === 0 && by && (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400" data-testid="runs-filter-empty">
          No runs by this launcher. <button className="text-sky-700 underline dark:text-sky-400" onClick={() => setBy(null)}>Show everyone&apos;s</button>
        </p>
      )}
      {runs && runs.length === 0 && !by && (
        <div className="rounded border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {can('editor') ? (
            <>No runs yet. <Link href="/runs/new" className="text-sky-700 underline dark:text-sky-400" data-testid="launch-link">Launch one</Link> — a <code>smoke</code> BrainCNN run on the demo data takes seconds.</>
          ) : (
            'No runs yet. Runs that editors launch appear here live.'
          )}
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
              <th className="pr-3">Launched by</th>
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
                <td className="pr-3 text-right" data-testid="row-accuracy">{headline(run)?.accuracy ?? '—'}</td>
                <td className="pr-3 text-right">{headline(run)?.f1 ?? '—'}</td>
                <td className="pr-3 font-mono text-xs">{run.backend ?? '—'}</td>
                <td className="pr-3 text-xs" data-testid="row-launched-by">{personLabel(run.launchedBy, run.launchedById)}</td>
                <td className="text-xs text-zinc-500">{time(run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
