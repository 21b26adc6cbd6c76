'use client';
// The activity log (every signed-in person): who launched, cancelled, retried, imported,
// synthesised, commented, invited, joined or changed a role, newest first and live; a filter by
// person kept in the URL (`?person=<id>`), and older entries page by page.
import { Suspense } from 'react';
import { useActivity } from '../lib/use-activity';
import { useLiveQuery } from '../lib/use-live-query';
import { useQueryParam } from '../lib/use-query-param';
import { trpc } from '../lib/trpc';
import { ActivityRow } from '../components/activity-entry';

const loadPeople = () => trpc.activity.people.query();

export default function ActivityPage() {
  return (
    <Suspense>
      <Activity />
    </Suspense>
  );
}

function Activity() {
  const [person, setPerson] = useQueryParam('person');
  const { data: people } = useLiveQuery(loadPeople, 'activity:updated');
  const { entries, hasOlder, loadOlder, error } = useActivity(person);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-4">
        <h1 className="text-xl font-semibold">Activity</h1>
        <label className="flex items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
          Person
          <select
            className="rounded border border-zinc-300 bg-white px-2 py-1 text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
            value={person ?? ''}
            onChange={(e) => setPerson(e.target.value || null)}
            data-testid="activity-filter"
          >
            <option value="">everyone</option>
            {people?.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            {person && people && !people.some((p) => p.id === person) && <option value={person}>someone with no activity</option>}
          </select>
        </label>
        <span className="ml-auto text-xs text-zinc-500">Updates live as people work.</span>
      </div>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">Could not load the activity: {error}</p>}
      {!entries && !error && <p className="text-sm text-zinc-500">Loading…</p>}
      {entries && entries.length === 0 && (
        <p className="rounded border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400" data-testid="activity-empty">
          {person ? 'Nothing by this person yet.' : 'Nothing has happened yet: launches, imports, studies and invitations appear here as they happen.'}
        </p>
      )}
      {entries && entries.length > 0 && (
        <ul data-testid="activity-list">
          {entries.map((e) => <ActivityRow key={e.id} entry={e} />)}
        </ul>
      )}
      {hasOlder && (
        <button onClick={() => void loadOlder()} className="rounded border border-zinc-300 px-3 py-1 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800" data-testid="activity-older">
          Load older
        </button>
      )}
    </div>
  );
}
