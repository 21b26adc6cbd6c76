'use client';
// People (admins only): everyone with their role, changing a role, removing a person, making
// invitation links, and the worker tokens of worker agents on other machines. The server refuses all of it to anyone but an admin.
import { useCallback, useEffect, useState } from 'react';
import { roles, type PersonView, type Role } from '../../lib/contracts/team';
import { trpc, errorMessage } from '../lib/trpc';
import { useMe } from '../lib/use-me';
import { InviteForm } from '../components/invite-form';
import { WorkerTokens } from '../components/worker-tokens';

export default function PeoplePage() {
  const { me, can } = useMe();
  const [people, setPeople] = useState<PersonView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => void trpc.people.list.query().then(setPeople, (e) => setError(errorMessage(e))), []);
  useEffect(() => {
    if (me?.role === 'admin') load();
  }, [me, load]);

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      load();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const remove = (p: PersonView) => {
    if (window.confirm(`Remove ${p.name} (${p.email})? They are signed out at once and their past runs show "removed person" as launched by.`)) void act(() => trpc.people.remove.mutate({ id: p.id }));
  };

  if (me === undefined) return <p className="text-sm text-zinc-500">Loading…</p>;
  if (!can('admin')) return <p className="text-sm text-zinc-600" data-testid="people-forbidden">Only admins manage people. Ask an admin if you need another role.</p>;
  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">People</h1>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900" data-testid="people-error">{error}</p>}
      {people && (
        <table className="w-full border-collapse text-sm" data-testid="people-table">
          <thead>
            <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <th className="py-2 pr-3">Name</th>
              <th className="pr-3">Email</th>
              <th className="pr-3">Role</th>
              <th className="pr-3">Joined</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.id} className="border-b border-zinc-100 dark:border-zinc-900" data-testid={`person-${p.email}`}>
                <td className="py-2 pr-3">{p.name}{p.id === me?.id && <span className="ml-2 text-xs text-zinc-500">you</span>}</td>
                <td className="pr-3 font-mono text-xs">{p.email}</td>
                <td className="pr-3">
                  <select aria-label={`role of ${p.name}`} className="rounded border border-zinc-300 bg-white px-1 py-0.5 dark:border-zinc-700 dark:bg-zinc-900" value={p.role} onChange={(e) => act(() => trpc.people.setRole.mutate({ id: p.id, role: e.target.value as Role }))} data-testid="person-role">
                    {roles.map((r) => <option key={r} value={r}>{r}</option>)}
                  </select>
                </td>
                <td className="pr-3 text-xs text-zinc-500">{new Date(p.createdAt).toLocaleDateString()}</td>
                <td className="text-right">
                  {p.id !== me?.id && <button onClick={() => remove(p)} className="rounded border border-zinc-300 px-2 py-0.5 text-xs text-rose-700 hover:bg-rose-50 dark:border-zinc-700 dark:hover:bg-rose-950" data-testid="person-remove">Remove</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InviteForm />
      <WorkerTokens />
      <p className="text-xs text-zinc-500">viewer: reads everything and comments · editor: also launches, cancels and retries runs and studies, imports and synthesises datasets · admin: also people, roles, worker tokens and deleting.</p>
    </div>
  );
}
