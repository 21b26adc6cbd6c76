'use client';
// Makes a token with a name and shows it once, with a copy button and a warning: the server keeps
// only its hash, so it cannot be shown again. Used for personal API tokens and worker tokens.
import { useState } from 'react';
import type { CreatedToken } from '../../lib/contracts/tokens';
import { errorMessage } from '../lib/trpc';

interface Props {
  /** Calls the server; the answer holds the token this once. */
  create: (name: string) => Promise<CreatedToken>;
  onCreated: () => void;
  placeholder: string;
  /** What to do with the token, shown beside it. */
  usage: (token: string) => React.ReactNode;
  testId: string;
}

export function NewTokenForm({ create, onCreated, placeholder, usage, testId }: Props) {
  const [name, setName] = useState('');
  const [made, setMade] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setCopied(false);
    try {
      setMade(await create(name));
      setName('');
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const copy = async () => {
    if (!made) return;
    await navigator.clipboard?.writeText(made.token).then(() => setCopied(true), () => setCopied(false));
  };

  return (
    <div className="space-y-3">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3 text-sm">
        <label>
          Name
          <input className="mt-1 block w-72 rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" name="name" value={name} placeholder={placeholder} onChange={(e) => setName(e.target.value)} maxLength={80} data-testid={`${testId}-name`} />
        </label>
        <button type="submit" className="rounded bg-sky-700 px-4 py-1.5 font-medium text-white hover:bg-sky-800" data-testid={`${testId}-submit`}>Create token</button>
      </form>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900" data-testid={`${testId}-error`}>{error}</p>}
      {made && (
        <div className="space-y-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm dark:border-amber-800 dark:bg-amber-950" data-testid={`${testId}-created`}>
          <p className="font-medium" data-testid={`${testId}-warning`}>
            Copy the token &ldquo;{made.view.name}&rdquo; now: it will not be shown again. Only its fingerprint is kept; if you lose it, revoke it and make another.
          </p>
          <div className="flex items-center gap-2">
            <input readOnly className="w-full rounded border border-zinc-300 bg-white px-2 py-1 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900" value={made.token} onFocus={(e) => e.target.select()} data-testid={`${testId}-value`} />
            <button type="button" className="rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700" onClick={() => void copy()} data-testid={`${testId}-copy`}>{copied ? 'Copied' : 'Copy'}</button>
            <button type="button" className="rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700" onClick={() => setMade(null)} data-testid={`${testId}-done`}>Done</button>
          </div>
          <div className="text-xs text-zinc-600 dark:text-zinc-400">{usage(made.token)}</div>
        </div>
      )}
    </div>
  );
}
