// A study's status with its step counts (done / total, and what failed or is blocked).
import type { NodeState } from '../../lib/contracts/study';

const COLOURS: Record<string, string> = {
  running: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200',
  succeeded: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  failed: 'bg-rose-100 text-rose-900 dark:bg-rose-950 dark:text-rose-200',
  cancelled: 'bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200',
};

export function StudyStatus({ status, counts }: { status: string; counts: Record<NodeState, number> }) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const problems = counts.failed + counts.blocked + counts.cancelled;
  return (
    <span className="inline-flex items-center gap-2" data-testid="study-status" data-status={status}>
      <span className={`rounded px-2 py-0.5 text-xs font-medium ${COLOURS[status] ?? ''}`}>{status}</span>
      <span className="text-xs text-zinc-500">
        {counts.succeeded}/{total} steps done{counts.running ? ` · ${counts.running} running` : ''}{problems ? ` · ${counts.failed} failed, ${counts.blocked} blocked, ${counts.cancelled} cancelled` : ''}
      </span>
    </span>
  );
}
