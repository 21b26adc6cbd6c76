// Every entry point refuses a request without a valid session: each tRPC procedure (walked from
// the router, so a new one cannot be forgotten) and each HTTP route, with no cookie, a forged
// cookie, an expired session and a forged API token; roles are enforced; foreign Hosts and
// Origins are refused; the first-admin link works once; a socket whose session ends is
// disconnected.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { eq } from 'drizzle-orm';
import { io } from 'socket.io-client';
import { appRouter } from '../../server/api/root';
import { session, user } from '../../db/team-schema';
import { startTestServer, signIn, makeApi, TEST_PASSWORD, type Person, type TestServer } from '../helpers/server';

/** The only procedures a visitor without a session may call: joining through an invitation. */
const WITHOUT_SESSION = new Set(['invites.lookup', 'invites.accept']);
/** HTTP routes by prefix (one request each) and the method they take; /api/health and better-auth's
 * own /api/auth/* are the public ones. Pages redirect to /sign-in instead of answering 401. */
const API_ROUTES: [string, string][] = [
  ['POST', '/api/datasets/upload?importId=auth-test'],
  ['GET', '/api/datasets/ds-x/preview-tumor.png'],
  ['GET', '/api/runs/r-x/images/1.png'],
  ['GET', '/api/studies/s-x/table.csv'],
  ['GET', '/api/results/table.json'],
];
const PAGES = ['/', '/runs/new', '/runs/r-x', '/datasets', '/studies', '/compare', '/people', '/activity', '/settings'];

let server: TestServer;
let viewer: Person;
let expiredCookie: string;

interface Answer { status: number; body: string; location?: string }

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path, method, headers: { host: `${hostname}:${port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: 'query' | 'mutation' | 'subscription' } }>);

function callProcedure(name: string, type: string, headers: Record<string, string>): Promise<Answer> {
  return type === 'query' ? raw('GET', `/api/trpc/${name}`, headers) : raw('POST', `/api/trpc/${name}`, { 'content-type': 'application/json', ...headers }, '{}');
}

before(async () => {
  server = await startTestServer();
  viewer = await server.signInAs('viewer');
  const doomed = await server.signInAs('editor');
  expiredCookie = doomed.cookie;
  const id = server.services.db.select().from(user).where(eq(user.email, doomed.email)).get()!.id;
  server.services.db.update(session).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(session.userId, id)).run();
});
after(() => server?.stop());

const credentials = (): [string, Record<string, string>][] => [
  ['no cookie', {}],
  ['a forged cookie', { cookie: 'mri-lab.session_token=Zm9yZ2VkLXRva2VuLWZvcmdlZC10b2tlbg.c2lnbmF0dXJlLXRoYXQtZG9lcy1ub3QtbWF0Y2g%3D' }],
  ['an expired session', { cookie: expiredCookie }],
  ['a forged API token', { authorization: 'Bearer mri_Zm9yZ2VkLXRva2VuLWZvcmdlZC10b2tlbi1mb3JnZWQtdG9r' }],
];

test('the router has procedures and the public ones are exactly the invitation pair', () => {
  assert.ok(procedures.length >= 20, `only ${procedures.length} procedures found`);
  for (const name of WITHOUT_SESSION) assert.ok(procedures.some(([n]) => n === name), `${name} is missing`);
});

test('every tRPC procedure but the invitation pair refuses a request without a valid session (401)', async () => {
  for (const [label, headers] of credentials()) {
    for (const [name, { _def }] of procedures) {
      if (WITHOUT_SESSION.has(name)) continue;
      const answer = await callProcedure(name, _def.type, headers);
      assert.equal(answer.status, 401, `${name} with ${label}: ${answer.status} ${answer.body}`);
      assert.doesNotMatch(answer.body, /\bat .+\.ts:\d+/, `${name} leaks a stack trace`);
    }
  }
});

test('the invitation procedures answer without a session, and only about a real link', async () => {
  const lookup = await raw('GET', `/api/trpc/invites.lookup?input=${encodeURIComponent(JSON.stringify({ token: 'A'.repeat(43) }))}`);
  assert.equal(lookup.status, 400);
  assert.match(lookup.body, /not valid/);
});

test('every HTTP route needs a session; pages redirect to /sign-in; /api/health stays public', async () => {
  for (const [label, headers] of credentials()) {
    for (const [method, path] of API_ROUTES) {
      const answer = await raw(method, path, headers);
      assert.equal(answer.status, 401, `${method} ${path} with ${label}: ${answer.status} ${answer.body}`);
      assert.ok(JSON.parse(answer.body).error, 'a short JSON error');
    }
    for (const page of PAGES) {
      const answer = await raw('GET', page, headers);
      assert.equal(answer.status, 302, `${page} with ${label}`);
      assert.equal(answer.location, `/sign-in?next=${encodeURIComponent(page)}`);
    }
  }
  assert.equal((await raw('GET', '/api/health')).status, 200);
  assert.equal((await raw('GET', '/sign-in')).status, 404, '/sign-in is let through (no pages in a headless server)');
});

test('a viewer reads everything but may not launch, cancel or upload (403)', async () => {
  assert.ok(Array.isArray(await viewer.api.runs.list.query()));
  assert.ok(Array.isArray(await viewer.api.activity.list.query()));
  assert.ok(procedures.some(([n]) => n === 'activity.list'), 'the walk above covers activity.list');
  assert.equal((await viewer.fetch('/api/results/table.json')).status, 200);
  const launch = await callProcedure('runs.launch', 'mutation', { cookie: viewer.cookie });
  assert.equal(launch.status, 403, launch.body);
  assert.match(JSON.parse(launch.body).error.message, /needs the editor role/);
  assert.equal((await callProcedure('people.list', 'query', { cookie: viewer.cookie })).status, 403);
  assert.equal((await callProcedure('workerTokens.list', 'query', { cookie: viewer.cookie })).status, 403);
  const upload = await raw('POST', '/api/datasets/upload?importId=x', { cookie: viewer.cookie });
  assert.equal(upload.status, 403, upload.body);
});

test('nobody raises their own role through better-auth, whose admin endpoints are not served', async () => {
  const update = await raw('POST', '/api/auth/update-user', { cookie: viewer.cookie, origin: server.url, 'content-type': 'application/json' }, JSON.stringify({ role: 'admin' }));
  assert.notEqual(update.status, 200, update.body);
  const setRole = await raw('POST', '/api/auth/admin/set-role', { cookie: server.cookie, origin: server.url, 'content-type': 'application/json' }, JSON.stringify({ userId: 'x', role: 'admin' }));
  assert.equal(setRole.status, 404);
  assert.equal((await viewer.api.people.me.query()).role, 'viewer');
});

test('a request naming another Host is refused with 421 (DNS rebinding)', async () => {
  const answer = await raw('GET', '/api/health', { host: 'attacker.example' });
  assert.equal(answer.status, 421);
  assert.equal((await raw('GET', '/api/trpc/runs.list', { host: `attacker.example:${server.port}`, cookie: server.cookie })).status, 421);
});

test('a cross-site upload or mutation is refused even with a valid cookie', async () => {
  const headers = { cookie: server.cookie, origin: 'https://attacker.example', 'content-type': 'multipart/form-data; boundary=x' };
  const upload = await raw('POST', '/api/datasets/upload?importId=csrf', headers, '--x--\r\n');
  assert.equal(upload.status, 403, upload.body);
  const cancel = await raw('POST', '/api/trpc/runs.cancel', { cookie: server.cookie, origin: 'https://attacker.example', 'content-type': 'application/json' }, '{"id":"r-x"}');
  assert.equal(cancel.status, 403);
});

test('a socket without a session, or from a foreign Origin, is refused', async () => {
  const refused = (extraHeaders: Record<string, string>) =>
    new Promise<string>((resolve, reject) => {
      const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders });
      socket.once('connect', () => (socket.close(), reject(new Error(`connected with ${JSON.stringify(extraHeaders)}`))));
      socket.once('connect_error', (err) => (socket.close(), resolve(err.message)));
    });
  await refused({});
  await refused({ cookie: expiredCookie });
  await refused({ cookie: server.cookie, origin: 'https://attacker.example' });
  const ok = await viewer.browser();
  assert.ok(ok.connected);
});

test('a socket whose session ends is disconnected at the next check', async () => {
  const cookie = await signIn(server.url, viewer.email, TEST_PASSWORD);
  const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie, origin: server.url } });
  await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
  const signOut = await fetch(`${server.url}/api/auth/sign-out`, { method: 'POST', headers: { cookie, origin: server.url } });
  assert.equal(signOut.status, 200);
  const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
  await server.services.hub.recheckSessions();
  await gone;
  socket.close();
  await assert.rejects(makeApi(server.url, { cookie }).runs.list.query(), /Sign in first/);
});

test('the first-admin link works once only', async () => {
  const link = server.logs.map((l) => /Create the first admin account: (\S+)/.exec(l)?.[1]).find(Boolean)!;
  const token = new URL(link).pathname.split('/invite/')[1];
  await assert.rejects(server.anonymous.invites.accept.mutate({ token, name: 'Mallory', email: 'mallory@lab.test', password: TEST_PASSWORD }), /already been used/);
  await assert.rejects(server.anonymous.invites.lookup.query({ token }), /already been used/);
  const admins = server.services.db.select().from(user).where(eq(user.role, 'admin')).all();
  assert.deepEqual(admins.map((a) => a.email), ['admin@lab.test']);
});

test("an admin's role change and removal apply at once, and the last admin stays", async () => {
  const me = await server.api.people.me.query();
  await assert.rejects(server.api.people.setRole.mutate({ id: me.id, role: 'editor' }), /at least one admin/);
  await assert.rejects(server.api.people.remove.mutate({ id: me.id }), /cannot remove yourself/);
  const { id } = await viewer.api.people.me.query();
  await server.api.people.setRole.mutate({ id, role: 'editor' });
  assert.equal((await viewer.api.people.me.query()).role, 'editor');
  const socket = await viewer.browser();
  const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
  await server.api.people.remove.mutate({ id });
  await gone;
  await assert.rejects(viewer.api.runs.list.query(), /Sign in first/);
  assert.ok(!(await server.api.people.list.query()).some((p) => p.id === id));
});
