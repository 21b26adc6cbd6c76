// Starts a real headless server (tRPC + socket.io + scheduler + worker processes) on a free port
// with its own temporary DATA_DIR, signs in its first admin the way a person would (the link the
// server prints, the invitation form's procedure, better-auth's sign-in), and gives tests typed
// tRPC and socket.io clients acting for that person, plus helpers to invite and sign in others.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../../server/index';
import { joinWithLink as joinAs, makeApi, type Api } from '../../server/loadtest/session';
import type { BrowserToServerEvents, RunView, ServerToBrowserEvents } from '../../lib/contracts/events';
import type { Role } from '../../lib/contracts/team';
import type { Env } from '../../lib/env';

export const TEST_WORKER_TOKEN = 'test-worker-token-0123456789';
export const TEST_PASSWORD = 'correct horse battery';

export { makeApi, signIn, type Api } from '../../server/loadtest/session';
export type BrowserSocket = Socket<ServerToBrowserEvents, BrowserToServerEvents>;

/** One signed-in person's clients: every request carries their session cookie. */
export interface Person {
  email: string;
  role: Role;
  cookie: string;
  api: Api;
  browser: () => Promise<BrowserSocket>;
  /** fetch on the server with this person's cookie (`path` starts with /). */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
}

export interface TestServer extends RunningServer, Person {
  dataDir: string;
  /** Every line the server logged. */
  logs: string[];
  /** A tRPC client with no session at all. */
  anonymous: Api;
  /** Invites a person with `role` (as the admin), accepts the link and signs them in. */
  signInAs: (role: Role) => Promise<Person>;
  stop: () => Promise<void>;
}

/** Accepts an invitation link as its invitee would on /invite/<token>, then signs in. */
export const joinWithLink = (url: string, link: string, email: string, name?: string): Promise<string> => joinAs(url, link, email, TEST_PASSWORD, name);

export function person(url: string, email: string, role: Role, cookie: string, sockets: Socket[]): Person {
  const browser = async () => {
    const socket: BrowserSocket = io(url, { transports: ['websocket'], forceNew: true, extraHeaders: { cookie, origin: url } });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  const fetchAs = (p: string, init: RequestInit = {}) => fetch(`${url}${p}`, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
  return { email, role, cookie, api: makeApi(url, { cookie }), browser, fetch: fetchAs };
}

/** `env` overrides the test defaults (MAX_WORKERS: 0 leaves the queue to workers a test starts). */
export async function startTestServer(env: Partial<Env> = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-dash-'));
  const logs: string[] = [];
  const server = await startServer({
    withNext: false,
    env: { PORT: 0, DATA_DIR: dataDir, DEMO_PER_CLASS: 60, WORKER_TOKEN: TEST_WORKER_TOKEN, MAX_WORKERS: 1, ...env },
    log: (line) => logs.push(line),
  });
  const sockets: Socket[] = [];
  let admin: Person;
  try {
    const link = logs.map((l) => /Create the first admin account: (\S+)/.exec(l)?.[1]).find(Boolean);
    if (!link) throw new Error(`the server printed no first-admin link:\n${logs.join('\n')}`);
    admin = person(server.url, 'admin@lab.test', 'admin', await joinWithLink(server.url, link, 'admin@lab.test', 'Ada Admin'), sockets);
  } catch (err) {
    // A server left running would keep the test file from ending (better-auth allows five
    // sign-ins a minute per process: a sixth test server in one file is refused with 429).
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let invited = 0;
  const signInAs = async (role: Role) => {
    const email = `${role}${++invited}@lab.test`;
    const { link: invite } = await admin.api.people.invite.mutate({ role });
    return person(server.url, email, role, await joinWithLink(server.url, invite, email), sockets);
  };
  const stop = async () => {
    // A 500's client message carries only an error id: print the server's lines for any, so a
    // failing test's output says what failed on the server.
    for (const line of logs) if (/ failed \(error [0-9a-f]{8}\)/.test(line)) console.error(`[test server] ${line}`);
    sockets.forEach((s) => s.close());
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { ...server, ...admin, dataDir, logs, anonymous: makeApi(server.url), signInAs, stop };
}

/** Resolves with the run once `predicate` holds for a pushed update (rejects after timeoutMs). */
export function waitForRun(socket: BrowserSocket, runId: string, predicate: (run: RunView) => boolean, timeoutMs = 120_000): Promise<RunView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`run ${runId}: condition not met within ${timeoutMs} ms`)), timeoutMs);
    const onUpdate = (run: RunView) => {
      if (run.id !== runId || !predicate(run)) return;
      clearTimeout(timer);
      socket.off('run:updated', onUpdate);
      resolve(run);
    };
    socket.on('run:updated', onUpdate);
  });
}
