// Starts tests/helpers/headless-main.ts as a child process on a DATA_DIR and signs in its admin
// the way a person would: with the first-admin link it prints on a fresh DATA_DIR, or with the
// admin's password on a later start. The child can be killed with SIGKILL like a crashed server.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinWithLink, person, signIn, TEST_PASSWORD, TEST_WORKER_TOKEN, type Person } from './server';
import type { Socket } from 'socket.io-client';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN = 'admin@lab.test';

export interface ServerProcess extends Person {
  url: string;
  child: ChildProcess;
  logs: string[];
  /** Closes this process's sockets and waits for the child to exit after `signal`. */
  kill: (signal: NodeJS.Signals) => Promise<void>;
}

export async function startServerProcess(dataDir: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tests/helpers/headless-main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_PER_CLASS: '60', WORKER_TOKEN: TEST_WORKER_TOKEN, MAX_WORKERS: '1', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        const m = /^READY (\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      }
    });
    void exited.then(() => reject(new Error(`the server exited before it was ready:\n${logs.join('\n')}`)));
  });
  const url = await ready;
  const link = logs.map((l) => /Create the first admin account: (\S+)/.exec(l)?.[1]).find(Boolean);
  const cookie = link ? await joinWithLink(url, link, ADMIN, 'Ada Admin') : await signIn(url, ADMIN, TEST_PASSWORD);
  const sockets: Socket[] = [];
  const admin = person(url, ADMIN, 'admin', cookie, sockets);
  const kill = async (signal: NodeJS.Signals) => {
    sockets.forEach((s) => s.close());
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { ...admin, url, child, logs, kill };
}
