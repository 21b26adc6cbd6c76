'use client';
// Sign in with email and password (accounts are made from invitation links), then back to the
// page that sent the visitor here.
import { useState } from 'react';
import { authClient, safeNext } from '../lib/auth-client';
import { AuthCard, FormError, fieldClass } from '../components/auth-card';

export default function SignInPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitting(true);
    setError(null);
    const { error: failed } = await authClient.signIn.email({ email, password });
    if (!failed) return window.location.assign(safeNext(window.location.search));
    setSubmitting(false);
    setError(
      failed.status === 429
        ? 'Too many sign-in attempts from this address. Wait a minute, then try again.'
        : failed.status === 401
          ? 'That email and password do not match an account. Check both, or ask an admin for an invitation.'
          : `Could not sign in: ${failed.message ?? failed.statusText}`,
    );
  };

  return (
    <AuthCard title="Sign in" intro="Use the email and password you chose when you accepted your invitation.">
      <form onSubmit={submit} className="space-y-3 text-sm" data-testid="sign-in-form">
        <label className="block">
          Email
          <input className={fieldClass} type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="block">
          Password
          <input className={fieldClass} type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <FormError message={error} testId="sign-in-error" />
        <button type="submit" disabled={submitting} className="w-full rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-50" data-testid="sign-in-submit">
          {submitting ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="text-xs text-zinc-500">No account? An admin of this dashboard can send you an invitation link.</p>
    </AuthCard>
  );
}
