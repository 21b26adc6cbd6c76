'use client';
// Live list of runs: the history from tRPC, then every change pushed over socket.io.
import { useEffect, useState } from 'react';
import type { RunView } from '../../lib/contracts/events';
import { getSocket } from './socket';
import { trpc, errorMessage } from './trpc';

export function useRuns(): { runs: RunView[] | null; error: string | null } {
  const [runs, setRuns] = useState<RunView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const socket = getSocket();
    // Updates that arrive before the list loads are kept and applied on top of it.
    const pending = new Map<string, RunView>();
    let loaded = false;
    const upsert = (list: RunView[], run: RunView) => {
      const rest = list.filter((r) => r.id !== run.id);
      return [run, ...rest].sort((a, b) => b.createdAt - a.createdAt);
    };
    const onUpdate = (run: RunView) => {
      if (!loaded) pending.set(run.id, run);
      else setRuns((list) => upsert(list ?? [], run));
    };
    socket.on('run:updated', onUpdate);
    trpc.runs.list.query().then(
      (list) => {
        loaded = true;
        setRuns([...pending.values()].reduce(upsert, list));
      },
      (err) => setError(errorMessage(err)),
    );
    return () => void socket.off('run:updated', onUpdate);
  }, []);

  return { runs, error };
}
