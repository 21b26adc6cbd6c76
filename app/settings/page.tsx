'use client';
// Settings: who I am, and my personal API tokens (for scripts and the command line against this
// dashboard). A token acts as me with my current role; it is shown once when made, and revoking
// it refuses it at once.
import { useCallback, useEffect, useState } from 'react';
import type { TokenView } from '../../lib/contracts/tokens';
import { trpc, errorMessage } from '../lib/trpc';
import { useMe } from '../lib/use-me';
import { NewTokenForm } from '../components/new-token-form';
import { TokenTable } from '../components/token-table';

const code = 'rounded bg-zinc-100 px-1 font-mono text-xs dark:bg-zinc-800';

export default function SettingsPage() {
  const { me } = useMe();
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [origin, setOrigin] = useState('');
  const load = useCallback(() => void trpc.tokens.list.query().then(setTokens, (e) => setError(errorMessage(e))), []);
  useEffect(() => {
    setOrigin(window.location.origin);
    load();
  }, [load]);

  const revoke = async (t: TokenView) => {
    if (!window.confirm(`Revoke the token "${t.name}" (${t.prefix}…)? Anything using it is refused from now on.`)) return;
    setError(null);
    try {
      await trpc.tokens.revoke.mutate({ id: t.id });
    } catch (err) {
      setError(errorMessage(err));
    }
    load();
  };

  if (me === undefined) return <p className="text-sm text-zinc-500">Loading…</p>;
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      {me && (
        <p className="text-sm" data-testid="settings-me">
          Signed in as <strong>{me.name}</strong> ({me.email}), <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs dark:bg-zinc-800">{me.role}</span>
        </p>
      )}
      <section className="space-y-4 rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900" data-testid="api-tokens">
        <div className="space-y-1">
          <h2 className="font-semibold">API tokens</h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            A token acts as you, with your role at the time of each request, for scripts (<code className={code}>Authorization: Bearer …</code> on
            <code className={code}>/api/trpc</code> and the export routes) and for the command line against this dashboard (<code className={code}>--server {origin} --token …</code>).
            Revoke a token you no longer use or may have leaked: it is refused at once.
          </p>
        </div>
        <NewTokenForm
          testId="token-create"
          placeholder="e.g. laptop command line"
          create={(name) => trpc.tokens.create.mutate({ name })}
          onCreated={load}
          usage={(token) => (
            <>
              For example: <code className={code}>MRI_TOKEN={token} npm run train -- --server {origin} --model cnn --preset smoke</code>
            </>
          )}
        />
        {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900" data-testid="tokens-error">{error}</p>}
        {tokens && <TokenTable tokens={tokens} onRevoke={(t) => void revoke(t)} testId="token" />}
      </section>
    </div>
  );
}
