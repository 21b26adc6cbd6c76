// Signing in over HTTP as a person does in the browser: accept an invitation link (the
// invitation form's tRPC procedure), then better-auth's email sign-in, which sets the session
// cookie. Used by the load test's viewers and by the integration tests' helper.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../api/root';

export type Api = ReturnType<typeof createTRPCClient<AppRouter>>;

export const makeApi = (url: string, headers: Record<string, string> = {}): Api =>
  createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/api/trpc`, headers })] });

/** The session cookie better-auth sets when this email and password sign in. */
export async function signIn(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in/email`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`sign-in of ${email} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
  if (!cookie) throw new Error(`sign-in of ${email} set no cookie`);
  return cookie;
}

/** Accepts an invitation link as its invitee would on /invite/<token>, then signs in. */
export async function joinWithLink(url: string, link: string, email: string, password: string, name = email.split('@')[0]): Promise<string> {
  const token = new URL(link).pathname.split('/invite/')[1];
  await makeApi(url).invites.accept.mutate({ token, name, email, password });
  return signIn(url, email, password);
}
