'use client';
// The activity log, live: the newest page (everyone's or one person's), reloaded whenever the
// server announces a new entry, and older pages on request (by the oldest id shown).
import { useCallback, useEffect, useState } from 'react';
import { getSocket } from './socket';
import { trpc, errorMessage } from './trpc';

export type ActivityEntry = Awaited<ReturnType<typeof trpc.activity.list.query>>[number];

export const ACTIVITY_PAGE = 50;

/** Both lists merged by id, newest first. */
function merge(list: ActivityEntry[], page: ActivityEntry[]): ActivityEntry[] {
  const byId = new Map([...list, ...page].map((e) => [e.id, e]));
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

export function useActivity(userId: string | null) {
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null);
  const [hasOlder, setHasOlder] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setEntries(null);
    setError(null);
    const loadNewest = () =>
      void trpc.activity.list.query({ limit: ACTIVITY_PAGE, userId: userId ?? undefined }).then(
        (page) => {
          if (!live) return;
          setEntries((list) => {
            // A full page that does not reach what is shown leaves a gap: start again from it.
            const gap = !list || list.length === 0 || (page.length === ACTIVITY_PAGE && page[page.length - 1].id > list[0].id);
            if (gap) setHasOlder(page.length === ACTIVITY_PAGE);
            return gap ? page : merge(list, page);
          });
        },
        (err) => live && setError(errorMessage(err)),
      );
    const socket = getSocket();
    socket.on('activity:updated', loadNewest);
    loadNewest();
    return () => {
      live = false;
      socket.off('activity:updated', loadNewest);
    };
  }, [userId]);

  const loadOlder = useCallback(async () => {
    const oldest = entries?.[entries.length - 1];
    if (!oldest) return;
    try {
      const page = await trpc.activity.list.query({ limit: ACTIVITY_PAGE, userId: userId ?? undefined, beforeId: oldest.id });
      setEntries((list) => merge(list ?? [], page));
      setHasOlder(page.length === ACTIVITY_PAGE);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [entries, userId]);

  return { entries, hasOlder, loadOlder, error };
}
