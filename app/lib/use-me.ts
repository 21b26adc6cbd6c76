'use client';
// Who is signed in (tRPC people.me), shared by every component of the tab: the header shows the
// name and role, pages show only the controls the role may use (the server refuses the rest).
import { useEffect, useState } from 'react';
import { TRPCClientError } from '@trpc/client';
import { roleAllows, type Role } from '../../lib/contracts/team';
import { trpc } from './trpc';

export interface Me {
  id: string;
  name: string;
  email: string;
  role: Role;
}

let pending: Promise<Me | null> | null = null;

function loadMe(): Promise<Me | null> {
  pending ??= trpc.people.me.query().catch((err) => {
    pending = null;
    // No session: nobody is signed in (the sign-in and invitation pages).
    if (err instanceof TRPCClientError && err.data?.httpStatus === 401) return null;
    throw err;
  });
  return pending;
}

/** undefined while loading, null when signed out. */
export function useMe(): { me: Me | null | undefined; can: (role: Role) => boolean } {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    loadMe().then((m) => live && setMe(m), () => live && setMe(null));
    return () => void (live = false);
  }, []);
  return { me, can: (role) => !!me && roleAllows(me.role, role) };
}
