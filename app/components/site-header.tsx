'use client';
// The navigation, showing only what the signed-in person's role may use, who else is online, the
// person's settings (API tokens), name, role and a sign-out button. Signed out (sign-in,
// invitations) only the title.
import Link from 'next/link';
import { useEffect } from 'react';
import { useMe } from '../lib/use-me';
import { authClient } from '../lib/auth-client';
import { useOnline } from '../lib/use-presence';
import { PersonChips, PersonDot } from './person-chips';
import { personColor } from '../../lib/person-color';

const link = 'text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-white';

export function SiteHeader() {
  const { me, can } = useMe();
  const online = useOnline(!!me);
  // Asking better-auth for the session once per page keeps an active person's session rolling.
  useEffect(() => void authClient.getSession(), []);
  const signOut = async () => {
    await authClient.signOut();
    window.location.assign('/sign-in');
  };
  return (
    <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <nav className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3 text-sm">
        <Link href="/" className="font-semibold tracking-tight">MRI synthesis lab</Link>
        {me && (
          <>
            <Link href="/" className={link}>Runs</Link>
            {can('editor') && <Link href="/runs/new" className={link} data-testid="nav-new-run">New run</Link>}
            <Link href="/datasets" className={link}>Datasets</Link>
            <Link href="/studies" className={link}>Studies</Link>
            <Link href="/compare" className={link}>Compare</Link>
            <Link href="/activity" className={link} data-testid="nav-activity">Activity</Link>
            <Link href="/workers" className={link} data-testid="nav-workers">Workers</Link>
            {can('admin') && <Link href="/people" className={link} data-testid="nav-people">People</Link>}
            <span className="ml-auto flex items-center gap-3">
              <Link href="/settings" className={link} data-testid="nav-settings">Settings</Link>
              <PersonChips people={online.filter((p) => p.id !== me.id)} label="Online" testId="online-people" max={4} />
              <span data-testid="me" title={me.email} className="inline-flex items-center gap-1.5">
                <PersonDot color={personColor(me.id)} />
                {me.name} <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300" data-testid="me-role">{me.role}</span>
              </span>
              <button onClick={signOut} className="rounded border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800" data-testid="sign-out">
                Sign out
              </button>
            </span>
          </>
        )}
      </nav>
    </header>
  );
}
