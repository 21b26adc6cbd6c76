'use client';
// A Delete button and its confirmation dialog: the server is asked first what would go with the
// run, study or dataset and what stops it; the dialog lists that, offers to delete the dependents
// too, and deletes only once confirmed.
import { useEffect, useState } from 'react';
import { countItems, dependOn, type DeletableKind, type DeletionItem, type DeletionPlan } from '../../lib/contracts/deletion';
import { trpc, errorMessage } from '../lib/trpc';

const api = {
  run: { plan: (id: string) => trpc.runs.deletionPlan.query({ id }), remove: (id: string, cascade: boolean) => trpc.runs.delete.mutate({ id, cascade }) },
  study: { plan: (id: string) => trpc.studies.deletionPlan.query({ id }), remove: (id: string, cascade: boolean) => trpc.studies.delete.mutate({ id, cascade }) },
  dataset: { plan: (id: string) => trpc.datasets.deletionPlan.query({ id }), remove: (id: string, cascade: boolean) => trpc.datasets.delete.mutate({ id, cascade }) },
} satisfies Record<DeletableKind, unknown>;

const FILES: Record<DeletableKind, string> = {
  run: "its metric points, logs, results and comments, and its folder of checkpoints and images",
  study: 'its steps and comments (its runs stay unless you tick the box below)',
  dataset: "its folder of images on the server's disk",
};
/** Dependents listed by name before "and N more". */
const LISTED = 12;

export function DeleteButton({ kind, id, onDeleted, small = false }: { kind: DeletableKind; id: string; onDeleted?: () => void; small?: boolean }) {
  const [open, setOpen] = useState(false);
  const [plan, setPlan] = useState<DeletionPlan | null>(null);
  const [cascade, setCascade] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const show = () => {
    setOpen(true);
    setPlan(null);
    setCascade(false);
    setError(null);
    api[kind].plan(id).then(setPlan, (e) => setError(errorMessage(e)));
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api[kind].remove(id, cascade);
      setOpen(false);
      onDeleted?.();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  const needsCascade = !!plan && plan.dependents.length > 0 && !plan.dependentsOptional;
  const blocked = !plan || plan.blockers.length > 0 || (needsCascade && !cascade);
  return (
    <>
      <button
        type="button"
        data-testid={`delete-${kind}`}
        onClick={show}
        className={`rounded border border-rose-300 text-rose-700 hover:bg-rose-50 dark:border-rose-800 dark:text-rose-400 dark:hover:bg-rose-950 ${small ? 'px-2 py-0.5 text-xs' : 'px-3 py-1 text-sm'}`}
      >
        Delete
      </button>
      {open && (
        <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/40 p-4" onClick={() => !busy && setOpen(false)}>
          <div
            role="dialog"
            aria-modal="true"
            aria-labelledby="delete-title"
            data-testid="delete-dialog"
            className="w-full max-w-lg space-y-3 rounded border text-left border-zinc-200 bg-white p-5 text-sm shadow-xl dark:border-zinc-800 dark:bg-zinc-900"
            onClick={(e) => e.stopPropagation()}
          >
            <h2 id="delete-title" className="text-base font-semibold">Delete this {kind}?</h2>
            {!plan && !error && <p className="text-zinc-500">Looking for what depends on it…</p>}
            {plan && (
              <>
                <p>
                  <span className="font-medium" data-testid="delete-target">{plan.target.label}</span>{' '}
                  <span className="font-mono text-xs text-zinc-500">{plan.target.id}</span>
                </p>
                <p className="text-zinc-600 dark:text-zinc-400">This removes {FILES[kind]}. It cannot be undone.</p>
                {plan.blockers.map((b) => (
                  <p key={b} data-testid="delete-blocker" className="rounded bg-amber-100 px-3 py-2 text-amber-900 dark:bg-amber-950 dark:text-amber-200">{b}</p>
                ))}
                {plan.dependents.length === 0 ? (
                  plan.blockers.length === 0 && <p className="text-zinc-600 dark:text-zinc-400" data-testid="delete-no-dependents">Nothing else depends on it.</p>
                ) : (
                  <div data-testid="delete-dependents">
                    <p className="font-medium">{plan.dependentsOptional ? `Its runs and what depends on them (${countItems(plan.dependents)}):` : `${dependOn(plan.dependents)}:`}</p>
                    <DependentList items={plan.dependents} />
                    <label className="mt-2 flex items-center gap-2">
                      <input type="checkbox" data-testid="delete-cascade" checked={cascade} onChange={(e) => setCascade(e.target.checked)} />
                      Also delete {plan.dependentsOptional ? 'its runs and what depends on them' : 'what depends on it'} ({countItems(plan.dependents)})
                    </label>
                    {needsCascade && !cascade && <p className="mt-1 text-xs text-zinc-500">It can only go with what depends on it: tick the box, or delete those first.</p>}
                  </div>
                )}
                {plan.notYours.length > 0 && (
                  <p data-testid="delete-not-yours" className="rounded bg-amber-100 px-3 py-2 text-amber-900 dark:bg-amber-950 dark:text-amber-200">
                    Editors delete only what they launched or imported; {countItems(plan.notYours)} here {plan.notYours.length === 1 ? 'was' : 'were'} started by someone else. Ask an admin.
                  </p>
                )}
              </>
            )}
            {error && <p data-testid="delete-error" className="rounded bg-rose-100 px-3 py-2 text-rose-900 dark:bg-rose-950 dark:text-rose-200">{error}</p>}
            <div className="flex justify-end gap-2 pt-1">
              <button type="button" className="rounded border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800" onClick={() => setOpen(false)} disabled={busy}>
                Keep it
              </button>
              <button
                type="button"
                data-testid="delete-confirm"
                className="rounded bg-rose-600 px-3 py-1 font-medium text-white hover:bg-rose-700 disabled:cursor-not-allowed disabled:opacity-50"
                onClick={confirm}
                disabled={blocked || busy}
              >
                {busy ? 'Deleting…' : cascade && plan?.dependents.length ? `Delete with ${countItems(plan.dependents)}` : 'Delete'}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}

function DependentList({ items }: { items: DeletionItem[] }) {
  return (
    <ul className="mt-1 max-h-48 space-y-0.5 overflow-y-auto rounded border border-zinc-200 px-2 py-1 text-xs dark:border-zinc-800">
      {items.slice(0, LISTED).map((i) => (
        <li key={`${i.kind}:${i.id}`} data-testid="delete-dependent">
          <span className="text-zinc-500">{i.kind}</span> {i.label} <span className="font-mono text-zinc-400">{i.id}</span>
        </li>
      ))}
      {items.length > LISTED && <li className="text-zinc-500">and {items.length - LISTED} more</li>}
    </ul>
  );
}
