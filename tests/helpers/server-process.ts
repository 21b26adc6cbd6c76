// A headless dashboard in a process of its own (server/headless.ts, through the load test's
// launcher) on a DATA_DIR, with its admin signed in the way a person would: with the first-admin
// link it prints on a fresh DATA_DIR, or with the admin's password on a later start. The child
// can be killed with SIGKILL like a crashed server.
import type { Socket } from 'socket.io-client';
import { startServerProcess as startChild, type ServerProcess as Child } from '../../server/loadtest/server-process';
import { joinWithLink, person, signIn, TEST_PASSWORD, TEST_WORKER_TOKEN, type Person } from './server';

const ADMIN = 'admin@lab.test';

export interface ServerProcess extends Person {
  url: string;
  child: Child['child'];
  logs: string[];
  /** Closes this process's sockets and waits for the child to exit after `signal`. */
  kill: (signal: NodeJS.Signals) => Promise<void>;
}

export async function startServerProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = await startChild({ DATA_DIR: dataDir, DEMO_PER_CLASS: '60', WORKER_TOKEN: TEST_WORKER_TOKEN, MAX_WORKERS: '1', NODE_ENV: 'test', ...env });
  const cookie = child.firstAdminLink ? await joinWithLink(child.url, child.firstAdminLink, ADMIN, 'Ada Admin') : await signIn(child.url, ADMIN, TEST_PASSWORD);
  const sockets: Socket[] = [];
  const admin = person(child.url, ADMIN, 'admin', cookie, sockets);
  const kill = async (signal: NodeJS.Signals) => {
    sockets.forEach((s) => s.close());
    await child.stop(signal);
  };
  return { ...admin, url: child.url, child: child.child, logs: child.logs, kill };
}
