'use client';
// An admin's invitation: pick the role (and optionally the only email it accepts), get a one-time
// link valid for 24 hours, shown once: only its hash is kept on the server.
import { useState } from 'react';
import { roles, type Role } from '../../lib/contracts/team';
import { trpc, errorMessage } from '../lib/trpc';

export function InviteForm() {
  const [role, setRole] = useState<Role>('viewer');
  const [email, setEmail] = useState('');
  const [made, setMade] = useState<{ link: string; role: Role; email: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = 'mt-1 block rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900';

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setMade(await trpc.people.invite.mutate({ role, ...(email.trim() ? { email: email.trim() } : {}) }));
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <form onSubmit={submit} className="space-y-3 rounded border border-zinc-200 bg-white p-4 text-sm dark:border-zinc-800 dark:bg-zinc-900" data-testid="invite-create-form">
      <h2 className="font-semibold">Invite someone</h2>
      <div className="flex flex-wrap items-end gap-4">
        <label>
          Role
          <select className={input} name="role" value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="invite-create-role">
            {roles.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <label>
          Email (optional: only this address may use the link)
          <input className={`${input} w-72`} type="email" name="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="invite-create-email" />
        </label>
        <button type="submit" className="rounded bg-sky-700 px-4 py-1.5 font-medium text-white hover:bg-sky-800" data-testid="invite-create-submit">Make invitation link</button>
      </div>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-rose-900">{error}</p>}
      {made && (
        <div className="space-y-1 rounded bg-emerald-50 px-3 py-2 dark:bg-emerald-950">
          <p>Send this link to {made.email ?? 'the person'} ({made.role}); it works once, for 24 hours, and is not shown again:</p>
          <div className="flex items-center gap-2">
            <input readOnly className="w-full rounded border border-zinc-300 bg-white px-2 py-1 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900" value={made.link} onFocus={(e) => e.target.select()} data-testid="invite-link" />
            <button type="button" className="rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700" onClick={() => void navigator.clipboard?.writeText(made.link)}>Copy</button>
          </div>
        </div>
      )}
    </form>
  );
}
