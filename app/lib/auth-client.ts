// The browser's better-auth client: sign in and sign out against /api/auth on this origin.
import { createAuthClient } from 'better-auth/react';

export const authClient = createAuthClient();

/** Where to go after signing in: the `next` of /sign-in?next=…, only if it is a path on this site. */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}
