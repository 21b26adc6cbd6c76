'use client';
// A tRPC query that loads once and again whenever the server announces a change on socket.io.
import { useCallback, useEffect, useState } from 'react';
import type { ServerToBrowserEvents } from '../../lib/contracts/events';
import { getSocket } from './socket';
import { errorMessage } from './trpc';

export function useLiveQuery<T>(query: () => Promise<T>, event: keyof ServerToBrowserEvents): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The query is treated as fixed for the component's life (callers pass a module-level call).
  const reload = useCallback(() => void query().then(setData, (e) => setError(errorMessage(e))), []);
  useEffect(() => {
    const socket = getSocket();
    socket.on(event, reload);
    reload();
    return () => void socket.off(event, reload);
  }, [event, reload]);
  return { data, error, reload };
}
