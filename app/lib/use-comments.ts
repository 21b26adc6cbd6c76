'use client';
// A comment thread, live: loaded once `ready` (the page's room is joined; see use-presence.ts)
// and again whenever the server says the thread changed. Late answers never overwrite newer ones.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommentTargetRef, CommentView } from '../../lib/contracts/comments';
import { getSocket } from './socket';
import { trpc, errorMessage } from './trpc';

export function useComments(target: CommentTargetRef, ready: number | boolean): { comments: CommentView[]; error: string | null; reload: () => void } {
  const [comments, setComments] = useState<CommentView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const { kind, id } = target;
  const reload = useCallback(() => {
    const ticket = ++latest.current;
    trpc.comments.list.query({ target: { kind, id } as CommentTargetRef }).then(
      (found) => ticket === latest.current && (setComments(found), setError(null)),
      (err) => ticket === latest.current && setError(errorMessage(err)),
    );
  }, [kind, id]);
  useEffect(() => {
    if (!ready) return;
    const socket = getSocket();
    const onUpdated = (msg: { target: CommentTargetRef }) => msg.target.kind === kind && msg.target.id === id && reload();
    socket.on('comments:updated', onUpdated);
    reload();
    return () => void socket.off('comments:updated', onUpdated);
  }, [kind, id, ready, reload]);
  return { comments, error, reload };
}
