'use client';
// Accepting an invitation: the link says which role it grants; the person chooses their name,
// email and password, the account is created with that role, and they are signed in.
import { use, useEffect, useState } from 'react';
import { trpc, errorMessage } from '../../lib/trpc';
import { AuthCard, FormError, fieldClass } from '../../components/auth-card';
import type { Role } from '../../../lib/contracts/team';

const roleHelp: Record<Role, string> = {
  viewer: 'see every run, study, dataset and result, and comment',
  editor: 'also launch, cancel and retry runs and studies, import and synthesise datasets',
  admin: 'also invite people, change roles and remove people',
};

export default function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = use(params);
  const [invite, setInvite] = useState<{ role: Role; email: string | null } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    trpc.invites.lookup.query({ token }).then((found) => {
      setInvite(found);
      if (found.email) setEmail(found.email);
    }, (err) => setProblem(errorMessage(err)));
  }, [token]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      await trpc.invites.accept.mutate({ token, name, email, password });
      window.location.assign('/');
    } catch (err) {
      setError(errorMessage(err));
      setSubmitting(false);
    }
  };

  if (problem) return <AuthCard title="Invitation" intro={<span data-testid="invite-problem">{problem}</span>}>{null}</AuthCard>;
  if (!invite) return <p className="text-sm text-zinc-500">Checking the invitation…</p>;
  return (
    <AuthCard title="Create your account" intro={<>You are invited as <strong data-testid="invite-role">{invite.role}</strong>: you can {roleHelp[invite.role]}.</>}>
      <form onSubmit={submit} className="space-y-3 text-sm" data-testid="invite-form">
        <label className="block">
          Name
          <input className={fieldClass} name="name" autoComplete="name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="block">
          Email
          <input className={fieldClass} type="email" name="email" autoComplete="username" required readOnly={!!invite.email} value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="block">
          Password <span className="text-xs text-zinc-500">(at least 10 characters)</span>
          <input className={fieldClass} type="password" name="password" autoComplete="new-password" required minLength={10} maxLength={128} value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <FormError message={error} testId="invite-error" />
        <button type="submit" disabled={submitting} className="w-full rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-50" data-testid="invite-submit">
          {submitting ? 'Creating your account…' : 'Create account and sign in'}
        </button>
      </form>
    </AuthCard>
  );
}
