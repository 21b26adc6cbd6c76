// A run's status as a coloured label.
import type { RunStatus } from '../../lib/contracts/events';

const styles: Record<RunStatus, string> = {
  queued: 'bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  running: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  succeeded: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  failed: 'bg-rose-100 text-rose-800 dark:bg-rose-950 dark:text-rose-300',
  cancelled: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
};

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span data-testid="run-status" data-status={status} className={`inline-block rounded px-2 py-0.5 text-xs font-medium ${styles[status]}`}>
      {status}
    </span>
  );
}

export function ProgressBar({ value }: { value: number }) {
  return (
    <div className="h-1.5 w-24 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800" title={`${(value * 100).toFixed(0)}%`}>
      <div className="h-full bg-sky-500 transition-[width]" style={{ width: `${Math.round(value * 100)}%` }} />
    </div>
  );
}
