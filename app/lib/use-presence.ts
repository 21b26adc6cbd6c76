'use client';
// Presence in the browser: who is online (the header), and showing a run or study page, which
// joins the page's room and tells who else is watching it. `joined` counts the server's
// acknowledgements, so whatever loads a page's comments loads them once the room is joined (and
// again after a reconnect), never missing an update sent in between.
import { useEffect, useState } from 'react';
import { samePage, type PageKind, type PresencePerson } from '../../lib/contracts/presence';
import { getSocket } from './socket';

export function useOnline(enabled: boolean): PresencePerson[] {
  const [people, setPeople] = useState<PresencePerson[]>([]);
  useEffect(() => {
    if (!enabled) return;
    const socket = getSocket();
    const ask = () => socket.emit('presence:list', setPeople);
    socket.on('presence:online', setPeople);
    socket.on('connect', ask);
    if (socket.connected) ask();
    return () => {
      socket.off('presence:online', setPeople);
      socket.off('connect', ask);
    };
  }, [enabled]);
  return people;
}

export function usePageWatch(kind: PageKind, id: string): { viewers: PresencePerson[]; joined: number } {
  const [viewers, setViewers] = useState<PresencePerson[]>([]);
  const [joined, setJoined] = useState(0);
  useEffect(() => {
    const socket = getSocket();
    const page = { kind, id };
    const onUpdated = (msg: { page: typeof page; viewers: PresencePerson[] }) => samePage(msg.page, page) && setViewers(msg.viewers);
    const join = () =>
      socket.emit('presence:watch', page, (found) => {
        if (!found) return;
        setViewers(found);
        setJoined((n) => n + 1);
      });
    socket.on('presence:updated', onUpdated);
    socket.on('connect', join);
    if (socket.connected) join();
    return () => {
      socket.emit('presence:unwatch', page);
      socket.off('presence:updated', onUpdated);
      socket.off('connect', join);
      setViewers([]);
    };
  }, [kind, id]);
  return { viewers, joined };
}
