// One line of the activity log: when, who (a name, or the command line), what they did, and a
// link to what it was done to (a run, a study, a dataset) with its one-line summary.
import Link from 'next/link';
import type { ActivityAction, ActivityTarget } from '../../lib/contracts/team';
import type { ActivityEntry } from '../lib/use-activity';
import { personLabel } from '../lib/format';

const verbs: Record<ActivityAction, string> = {
  launched: 'launched',
  cancelled: 'cancelled',
  retried: 'retried',
  imported: 'imported',
  synthesised: 'requested',
  deleted: 'removed',
  commented: 'commented on',
  invited: 'made',
  joined: 'joined',
  'role-changed': 'changed the role of',
  'token-created': 'created',
  'token-revoked': 'revoked',
  'worker-drained': 'drained',
  'worker-resumed': 'resumed',
  'worker-removed': 'removed',
};

const nouns: Partial<Record<ActivityTarget, string>> = { run: 'run', study: 'study', dataset: 'dataset', token: 'API token', 'worker-token': 'worker token', worker: 'worker' };

const pages: Partial<Record<ActivityTarget, (id: string) => string>> = {
  run: (id) => `/runs/${id}`,
  study: (id) => `/studies/${id}`,
  dataset: (id) => `/datasets/${id}`,
  worker: () => '/workers',
};

/** "Today 14:03" or "12 Mar 14:03". */
function when(ms: number): string {
  const d = new Date(ms);
  const clock = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? `today ${clock}` : `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${clock}`;
}

export function ActivityRow({ entry }: { entry: ActivityEntry }) {
  const page = pages[entry.targetKind];
  const noun = entry.action === 'synthesised' ? undefined : nouns[entry.targetKind];
  return (
    <li className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5 border-b border-zinc-100 py-2 text-sm dark:border-zinc-900" data-testid="activity-entry" data-action={entry.action} data-target={entry.targetId}>
      <time className="w-28 shrink-0 text-xs tabular-nums text-zinc-500" dateTime={new Date(entry.createdAt).toISOString()} title={new Date(entry.createdAt).toLocaleString()}>
        {when(entry.createdAt)}
      </time>
      <span className={entry.userId ? 'font-medium' : 'italic text-zinc-500'} data-testid="activity-person">{personLabel(entry.userName, entry.userId)}</span>
      <span className="text-zinc-600 dark:text-zinc-400" data-testid="activity-verb">{verbs[entry.action]}{noun && ` ${noun}`}</span>
      {page ? (
        <Link href={page(entry.targetId)} className="text-sky-700 hover:underline dark:text-sky-400" title={entry.targetId} data-testid="activity-target">{entry.summary}</Link>
      ) : (
        <span data-testid="activity-target">{entry.summary}</span>
      )}
    </li>
  );
}
