// Personal API tokens and worker tokens against a real server: a token acts as its owner (their
// role), is stored only as a hash, is refused once revoked (its socket closed) or when forged; a
// worker agent with an admin's worker token claims and trains a run and is cut off when the token
// is revoked; the command line with --server and --token launches on this running server, as the
// token's owner, and a browser watching sees the run live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { io } from 'socket.io-client';
import { apiTokens, workerTokens } from '../../db/team-schema';
import type { RunView } from '../../lib/contracts/events';
import { startTestServer, makeApi, waitForRun, type Person, type TestServer } from '../helpers/server';

let server: TestServer;
let editor: Person;
let viewer: Person;
const children: ChildProcess[] = [];

// No local workers: runs wait for the worker agents the tests start with worker tokens.
before(async () => {
  server = await startTestServer({ MAX_WORKERS: 0 });
  editor = await server.signInAs('editor');
  viewer = await server.signInAs('viewer');
});
after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await server?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const asToken = (token: string) => makeApi(server.url, bearer(token));
const status = (p: string, headers: Record<string, string>, init: RequestInit = {}) => fetch(`${server.url}${p}`, { ...init, headers }).then((r) => r.status);

/** Resolves with the socket's connect_error message, or rejects if it connects. */
function refusedSocket(url: string, auth: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
    socket.once('connect', () => (socket.close(), reject(new Error(`${url} admitted ${JSON.stringify(auth)}`))));
    socket.once('connect_error', (err) => (socket.close(), resolve(err.message)));
  });
}

/** A worker agent as on another machine: only SERVER_URL and its worker token. */
function startWorker(token: string, workerId: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: { ...process.env, SERVER_URL: server.url, WORKER_TOKEN: token, WORKER_ID: workerId, TRAIN_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  children.push(child);
  return { child, output: () => output };
}

test("a token's request acts as its owner, with their role, and records when it was used", async () => {
  const { token, view } = await editor.api.tokens.create.mutate({ name: 'laptop script' });
  assert.match(token, /^mri_[A-Za-z0-9_-]{43}$/);
  assert.equal(view.prefix, token.slice(0, 12));
  const me = await asToken(token).people.me.query();
  assert.equal(me.email, editor.email);
  assert.equal(me.role, 'editor');
  assert.equal(await status('/api/results/table.json', bearer(token)), 200);

  const [listed] = await editor.api.tokens.list.query();
  assert.equal(listed.id, view.id);
  assert.ok(listed.lastUsedAt && listed.lastUsedAt >= view.createdAt, 'lastUsedAt was not recorded');
  await asToken(token).runs.list.query();
  assert.equal((await editor.api.tokens.list.query())[0].lastUsedAt, listed.lastUsedAt, 'lastUsedAt is written at most once a minute');

  // Not a browser request: no Origin check; but a token cannot manage tokens.
  const cancel = await fetch(`${server.url}/api/trpc/runs.cancel`, { method: 'POST', headers: { ...bearer(token), origin: 'https://elsewhere.example', 'content-type': 'application/json' }, body: '{"id":"r-none"}' });
  assert.equal(cancel.status, 404, await cancel.text());
  await assert.rejects(asToken(token).tokens.create.mutate({ name: 'another' }), /managed by a signed-in person/);
  assert.deepEqual((await viewer.api.tokens.list.query()).map((t) => t.id), [], "a person sees only their own tokens");
});

test('the token is not stored in clear: its row holds the SHA-256, and the database file never sees it', async () => {
  const { token, view } = await viewer.api.tokens.create.mutate({ name: 'stored?' });
  const row = server.services.db.select().from(apiTokens).where(eq(apiTokens.id, view.id)).get()!;
  assert.equal(row.tokenHash, crypto.createHash('sha256').update(token).digest('base64url'));
  assert.ok(!Object.values(row).some((v) => typeof v === 'string' && v.includes(token.slice(12))), JSON.stringify(row));
  for (const file of ['dashboard.sqlite', 'dashboard.sqlite-wal']) {
    const p = path.join(server.dataDir, file);
    if (fs.existsSync(p)) assert.ok(!fs.readFileSync(p).includes(token.slice(4)), `${file} holds the token`);
  }
});

test("a viewer's token reads but cannot launch (403)", async () => {
  const { token } = await viewer.api.tokens.create.mutate({ name: 'viewer script' });
  assert.ok(Array.isArray(await asToken(token).runs.list.query()));
  const launch = await fetch(`${server.url}/api/trpc/runs.launch`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: '{"model":"cnn","preset":"smoke"}' });
  assert.equal(launch.status, 403);
  assert.match((await launch.json()).error.message, /needs the editor role/);
  assert.equal(await status('/api/datasets/upload?importId=t', bearer(token), { method: 'POST' }), 403);
});

test('a revoked token is refused at once, and the socket it opened is disconnected', async () => {
  const { token, view } = await editor.api.tokens.create.mutate({ name: 'to revoke' });
  const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token } });
  await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
  const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  const revoked = await editor.api.tokens.revoke.mutate({ id: view.id });
  assert.ok(revoked.revokedAt);
  assert.equal(await gone, 'io server disconnect');
  await assert.rejects(asToken(token).people.me.query(), /revoked, mistyped/);
  assert.equal(await status('/api/results/table.json', bearer(token)), 401);
  await refusedSocket(server.url, { token });
  await assert.rejects(viewer.api.tokens.revoke.mutate({ id: view.id }), /None of your open tokens/);
  const entries = server.services.activity.list({ limit: 20 }).filter((e) => e.targetId === view.id).map((e) => e.action);
  assert.deepEqual(entries, ['token-revoked', 'token-created']);
});

test('a forged or malformed token is refused, and never falls back to the cookie beside it', async () => {
  const forged = `mri_${crypto.randomBytes(32).toString('base64url')}`;
  await assert.rejects(asToken(forged).people.me.query(), /not valid/);
  for (const authorization of [`Bearer ${forged}`, 'Bearer not-a-token', 'Bearer']) {
    assert.equal(await status('/api/trpc/people.me', { authorization, cookie: server.cookie }), 401, authorization);
    assert.equal(await status('/api/results/table.json', { authorization, cookie: server.cookie }), 401, authorization);
  }
  // Another scheme (a proxy's Basic authentication) is not a token: the cookie decides.
  assert.equal(await status('/api/trpc/people.me', { authorization: 'Basic dXNlcjpwYXNz', cookie: server.cookie }), 200);
  assert.match(await refusedSocket(server.url, { token: forged }), /unauthorized/);
  assert.match(await refusedSocket(`${server.url}/workers`, { token: `mrw_${crypto.randomBytes(32).toString('base64url')}` }), /invalid worker token/);
});

test("a worker agent with an admin's worker token claims and trains a run; only admins make them", async () => {
  await assert.rejects(editor.api.workerTokens.create.mutate({ name: 'nope' }), /needs the admin role/);
  const { token, view } = await server.api.workerTokens.create.mutate({ name: 'gpu-box' });
  assert.match(token, /^mrw_[A-Za-z0-9_-]{43}$/);
  const row = server.services.db.select().from(workerTokens).where(eq(workerTokens.id, view.id)).get()!;
  assert.equal(row.tokenHash, crypto.createHash('sha256').update(token).digest('base64url'));

  const browser = await viewer.browser();
  const worker = startWorker(token, 'w-gpu-box');
  const launched = await editor.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 4, overrides: { epochs: 1 } });
  const done = await waitForRun(browser, launched.id, (r) => r.status === 'succeeded' || r.status === 'failed');
  assert.equal(done.status, 'succeeded', `${done.error}\n${worker.output()}`);
  assert.equal(done.workerId, 'w-gpu-box');
  const [listed] = await server.api.workerTokens.list.query();
  assert.equal(listed.createdBy, 'Ada Admin');
  assert.ok(listed.lastUsedAt, 'lastUsedAt was not recorded');

  // Revoked mid-run: the worker is disconnected at once, its run goes back to the queue saying
  // why (to resume on another worker), and the token cannot connect again.
  const long = await editor.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 5, overrides: { epochs: 200, patience: 200 } });
  await waitForRun(browser, long.id, (r) => r.status === 'running' && r.progress > 0);
  const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
  const requeue = waitForRun(browser, long.id, (r) => r.status === 'queued', 20_000);
  const revoked = await server.api.workerTokens.revoke.mutate({ id: view.id });
  assert.equal(revoked.disconnected, 1);
  const requeued = await requeue;
  assert.match(requeued.attemptErrors[0] ?? '', /worker token "gpu-box" was revoked/);
  await editor.api.runs.cancel.mutate({ id: long.id });
  await exited;
  assert.match(worker.output(), /disconnected \(io server disconnect\)/);
  assert.match(await refusedSocket(`${server.url}/workers`, { token }), /invalid worker token/);
  assert.ok(server.logs.some((l) => /unknown or revoked/.test(l)));
});

test('a message that reaches the server after its worker token was revoked is ignored, with a log line', async () => {
  const { token, view } = await server.api.workerTokens.create.mutate({ name: 'in-flight' });
  const fake = io(`${server.url}/workers`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token } });
  await new Promise<void>((resolve, reject) => (fake.once('connect', () => resolve()), fake.once('connect_error', reject)));
  fake.emit('worker:hello', { workerId: 'w-in-flight', pid: 1, host: 'elsewhere', backend: 'cpu' });
  await fake.timeout(5000).emitWithAck('job:claim');
  // Revoking marks the token on the socket first; a message already on its way meets that mark.
  const socket = [...server.services.hub.io.of('/workers').sockets.values()].find((s) => s.data.workerId === 'w-in-flight')!;
  socket.data.grant.revokedAt = Date.now();
  const gone = new Promise<void>((resolve) => fake.once('disconnect', () => resolve()));
  await assert.rejects(fake.timeout(2000).emitWithAck('job:claim'), /timed out|disconnected/);
  await gone;
  assert.ok(server.logs.some((l) => l.includes('ignored job:claim from worker w-in-flight: its worker token "in-flight" was revoked')), server.logs.slice(-5).join('\n'));
  await server.api.workerTokens.revoke.mutate({ id: view.id });
});

test('the command line with --server and --token launches on the running dashboard as the token\'s owner, live for a browser', async () => {
  const { token: workerToken } = await server.api.workerTokens.create.mutate({ name: 'cli-box' });
  startWorker(workerToken, 'w-cli-box');
  const { token } = await editor.api.tokens.create.mutate({ name: 'command line' });
  const browser = await viewer.browser();
  const seen: RunView[] = [];
  browser.on('run:updated', (run) => seen.push(run));
  // A DATA_DIR that must stay untouched: no embedded server is started.
  const untouched = path.join(os.tmpdir(), `mri-cli-unused-${process.pid}`);
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/train.ts', '--server', server.url, ...args], { env: { ...process.env, DATA_DIR: untouched }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });

  const out = await cli(['--token', token, '--model', 'cnn', '--preset', 'smoke', '--seed', '6', '--epochs', '1', '--json']);
  assert.equal(out.code, 0, out.stderr);
  const json = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
  for (const key of ['accuracy', 'precision', 'recall', 'f1']) assert.ok(json[key] >= 0 && json[key] <= 1, key);
  assert.match(out.stderr, new RegExp(`run ${json.runId} queued .* by ${editor.email.split('@')[0]}`));
  const updates = seen.filter((r) => r.id === json.runId);
  assert.deepEqual([...new Set(updates.map((r) => r.status))].filter((s) => s !== 'queued'), ['running', 'succeeded']);
  assert.ok(updates.every((r) => r.launchedBy === editor.email.split('@')[0]), JSON.stringify(updates.map((r) => r.launchedBy)));
  assert.equal((await viewer.api.runs.get.query({ id: json.runId })).run.launchedBy, editor.email.split('@')[0]);
  assert.ok(!fs.existsSync(untouched), 'the command line started a server of its own');

  const { token: viewerToken } = await viewer.api.tokens.create.mutate({ name: 'viewer cli' });
  const refused = await cli(['--token', viewerToken, '--model', 'cnn', '--preset', 'smoke']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /needs the editor role/);
  const missing = await cli(['--model', 'cnn', '--preset', 'smoke']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /--token: a running dashboard needs your API token/);
});
