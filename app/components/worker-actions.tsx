'use client';
// An admin's buttons on a worker: Drain (it finishes what it holds and takes nothing new) or
// Resume, and Remove, which asks first in a dialog like the Delete buttons: what happens to the
// runs it holds, and that a worker still running may connect again.
import { useEffect, useState } from 'react';
import type { WorkerView } from '../../lib/contracts/workers';
import { trpc, errorMessage } from '../lib/trpc';

const small = 'rounded border px-2 py-0.5 text-xs disabled:opacity-50';

export function WorkerActions({ worker }: { worker: WorkerView }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      setConfirming(false);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (!confirming) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setConfirming(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [confirming]);

  const held = worker.runs.length;
  return (
    <span className="inline-flex items-center gap-1.5">
      {worker.connected && (
        <button
          type="button"
          disabled={busy}
          data-testid={worker.drained ? 'worker-resume' : 'worker-drain'}
          className={`${small} border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800`}
          title={worker.drained ? 'Let it take queued runs again' : 'It finishes what it holds and takes no new run'}
          onClick={() => void act(() => trpc.workers.drain.mutate({ workerId: worker.id, drained: !worker.drained }))}
        >
          {worker.drained ? 'Resume' : 'Drain'}
        </button>
      )}
      <button type="button" disabled={busy} data-testid="worker-remove" onClick={() => setConfirming(true)} className={`${small} border-rose-300 text-rose-700 hover:bg-rose-50 dark:border-rose-800 dark:text-rose-400 dark:hover:bg-rose-950`}>
        Remove
      </button>
      {error && !confirming && <span className="text-xs text-rose-700 dark:text-rose-400" data-testid="worker-action-error">{error}</span>}
      {confirming && (
        <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/40 p-4" onClick={() => !busy && setConfirming(false)}>
          <div
            role="dialog"
            aria-modal="true"
            aria-labelledby="remove-worker-title"
            data-testid="remove-worker-dialog"
            className="w-full max-w-lg space-y-3 whitespace-normal rounded border border-zinc-200 bg-white p-5 text-left text-sm text-zinc-900 shadow-xl dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100"
            onClick={(e) => e.stopPropagation()}
          >
            <h2 id="remove-worker-title" className="text-base font-semibold">Remove this worker?</h2>
            <p><span className="font-mono">{worker.id}</span> <span className="text-zinc-500">on {worker.host}</span></p>
            <p className="text-zinc-600 dark:text-zinc-400">
              {worker.connected
                ? `It is disconnected now${worker.kind === 'local' ? ' and its process stopped' : ''}. ${held ? `The ${held === 1 ? 'run it holds goes' : `${held} runs it holds go`} back to the queue and resume${held === 1 ? 's' : ''} from the last saved epoch on another worker.` : 'It holds no run.'}`
                : 'It is gone already; this removes it from the list.'}
              {worker.kind === 'agent' && worker.connected && ' An agent still running may connect again: stop it on its machine, or revoke its worker token on the People page.'}
            </p>
            {error && <p data-testid="worker-action-error" className="rounded bg-rose-100 px-3 py-2 text-rose-900 dark:bg-rose-950 dark:text-rose-200">{error}</p>}
            <div className="flex justify-end gap-2 pt-1">
              <button type="button" className="rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800" onClick={() => setConfirming(false)} disabled={busy}>
                Keep it
              </button>
              <button
                type="button"
                data-testid="remove-worker-confirm"
                className="rounded bg-rose-600 px-3 py-1 font-medium text-white hover:bg-rose-700 disabled:cursor-not-allowed disabled:opacity-50"
                onClick={() => void act(() => trpc.workers.remove.mutate({ workerId: worker.id }))}
                disabled={busy}
              >
                {busy ? 'Removing…' : 'Remove'}
              </button>
            </div>
          </div>
        </div>
      )}
    </span>
  );
}
