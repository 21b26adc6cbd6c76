'use client';
// Live list of runs, everyone's or one launcher's: the history from tRPC (filtered on the server),
// then every change pushed over socket.io (filtered here, as the socket sends every run), and
// deleted runs dropped.
import { useEffect, useState } from 'react';
import type { RunView } from '../../lib/contracts/events';
import { getSocket } from './socket';
import { trpc, errorMessage } from './trpc';

/** `launchedBy`: undefined for everyone's runs, a person's id, or null for the command line's. */
export function useRuns(launchedBy?: string | null): { runs: RunView[] | null; error: string | null } {
  const [runs, setRuns] = useState<RunView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const socket = getSocket();
    let live = true;
    setRuns(null);
    setError(null);
    const wanted = (run: RunView) => launchedBy === undefined || run.launchedById === launchedBy;
    // Updates that arrive before the list loads are kept and applied on top of it.
    const pending = new Map<string, RunView>();
    let loaded = false;
    const upsert = (list: RunView[], run: RunView) => {
      const rest = list.filter((r) => r.id !== run.id);
      return [run, ...rest].sort((a, b) => b.createdAt - a.createdAt);
    };
    const onUpdate = (run: RunView) => {
      if (!wanted(run)) return;
      if (!loaded) pending.set(run.id, run);
      else setRuns((list) => upsert(list ?? [], run));
    };
    const onDeleted = ({ runIds }: { runIds: string[] }) => {
      runIds.forEach((runId) => pending.delete(runId));
      setRuns((list) => list && list.filter((r) => !runIds.includes(r.id)));
    };
    socket.on('run:updated', onUpdate);
    socket.on('runs:deleted', onDeleted);
    trpc.runs.list.query(launchedBy === undefined ? undefined : { launchedBy }).then(
      (list) => {
        if (!live) return;
        loaded = true;
        setRuns([...pending.values()].reduce(upsert, list));
      },
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
      socket.off('run:updated', onUpdate);
      socket.off('runs:deleted', onDeleted);
    };
  }, [launchedBy]);

  return { runs, error };
}
