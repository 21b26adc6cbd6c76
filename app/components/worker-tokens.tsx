'use client';
// Worker tokens (admins, on the People page): one per worker agent on another machine. Shown once
// when made; revoking one disconnects its workers at once and refuses them from then on.
import { useCallback, useEffect, useState } from 'react';
import type { TokenView } from '../../lib/contracts/tokens';
import { trpc, errorMessage } from '../lib/trpc';
import { NewTokenForm } from './new-token-form';
import { TokenTable } from './token-table';

export function WorkerTokens() {
  const [tokens, setTokens] = useState<TokenView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [origin, setOrigin] = useState('');
  const load = useCallback(() => void trpc.workerTokens.list.query().then(setTokens, (e) => setError(errorMessage(e))), []);
  useEffect(() => {
    setOrigin(window.location.origin);
    load();
  }, [load]);

  const revoke = async (t: TokenView) => {
    if (!window.confirm(`Revoke the worker token "${t.name}" (${t.prefix}…)? Its workers are disconnected now and their runs fail.`)) return;
    setError(null);
    try {
      await trpc.workerTokens.revoke.mutate({ id: t.id });
    } catch (err) {
      setError(errorMessage(err));
    }
    load();
  };

  return (
    <section className="space-y-4 rounded border border-zinc-200 bg-white p-4 text-sm dark:border-zinc-800 dark:bg-zinc-900" data-testid="worker-tokens">
      <div className="space-y-1">
        <h2 className="font-semibold">Worker tokens</h2>
        <p className="text-zinc-600 dark:text-zinc-400">
          A worker agent on another machine (a GPU box) connects with its own token and trains queued runs. It needs this
          repository and the dashboard&apos;s data folder mounted at the same path (runs read datasets and write checkpoints there).
        </p>
      </div>
      <NewTokenForm
        testId="worker-token-create"
        placeholder="e.g. gpu-box-1"
        create={(name) => trpc.workerTokens.create.mutate({ name })}
        onCreated={load}
        usage={(token) => (
          <>
            On the worker&apos;s machine: <code className="rounded bg-zinc-100 px-1 font-mono dark:bg-zinc-800">WORKER_TOKEN={token} SERVER_URL={origin} node --import tsx workers/main.ts</code>
          </>
        )}
      />
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-rose-900" data-testid="worker-tokens-error">{error}</p>}
      {tokens && <TokenTable tokens={tokens} onRevoke={(t) => void revoke(t)} testId="worker-token" showCreator />}
    </section>
  );
}
