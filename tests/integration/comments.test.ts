// Comments and presence against a real server: people add, edit and delete their own comments
// (others get 403, an admin may), bodies are capped, pins are checked against the run, every
// comments procedure needs a session, the page's viewers hear of each change; presence shows who
// watches a run page and clears when a socket leaves or drops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TRPCClientError } from '@trpc/client';
import { appRouter } from '../../server/api/root';
import { startTestServer, waitForRun, type BrowserSocket, type Person, type TestServer } from '../helpers/server';
import { personColor } from '../../lib/person-color';
import type { PageViewers, PresencePerson } from '../../lib/contracts/presence';
import type { CommentTargetRef } from '../../lib/contracts/comments';
import type { RunImageView } from '../../lib/contracts/events';

let server: TestServer;
let editor: Person;
let viewer: Person;
/** Two more people for presence (sign-in allows five a minute per address: these and the admin). */
let ann: Person;
let bea: Person;
let runId: string;
let grids: RunImageView[];
let lastStep: number;

before(async () => {
  server = await startTestServer();
  editor = await server.signInAs('editor');
  viewer = await server.signInAs('viewer');
  ann = await server.signInAs('editor');
  bea = await server.signInAs('viewer');
  const socket = await server.browser();
  const launched = await server.api.runs.launch.mutate({ model: 'vae', preset: 'smoke', seed: 3, imageClass: 'healthy' });
  const done = await waitForRun(socket, launched.id, (r) => r.status === 'succeeded' || r.status === 'failed');
  assert.equal(done.status, 'succeeded', done.error ?? '');
  runId = launched.id;
  const stored = await server.api.runs.get.query({ id: runId });
  grids = stored.images;
  lastStep = Math.max(...(await server.api.runs.metrics.query({ id: runId })).map((p) => p.step));
});
after(() => server?.stop());

const runTarget = () => ({ kind: 'run' as const, id: runId });

/** Resolves with the first `event` message that satisfies `predicate` (rejects after 10 s). */
function next<T>(socket: BrowserSocket, event: 'presence:updated' | 'presence:online' | 'comments:updated', predicate: (msg: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching ${event} within 10 s`)), 10_000);
    const listener = (msg: T) => {
      if (!predicate(msg)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(msg);
    };
    socket.on(event, listener as never);
  });
}

const watch = (socket: BrowserSocket, page: unknown) => new Promise<PresencePerson[] | null>((resolve) => socket.emit('presence:watch', page as never, resolve));
const online = (socket: BrowserSocket) => new Promise<PresencePerson[]>((resolve) => socket.emit('presence:list', resolve));
const names = (people: PresencePerson[]) => people.map((p) => p.name);

async function refused(call: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(call, (err: unknown) => {
    assert.ok(err instanceof TRPCClientError, String(err));
    assert.equal(err.data?.httpStatus, status, err.message);
    // Validation errors carry the field list the page shows (`pin.step: …`).
    const fields = (err.data as { fields?: string[] | null } | undefined)?.fields ?? [];
    assert.match([err.message, ...fields].join('\n'), message);
    return true;
  });
}

test('a person adds, edits and deletes their own comment, and the run page hears of each change', async () => {
  const page = await viewer.browser();
  assert.ok(await watch(page, runTarget()));
  const told = () => next<{ target: CommentTargetRef }>(page, 'comments:updated', (m) => m.target.kind === 'run' && m.target.id === runId);

  let heard = told();
  const added = await editor.api.comments.add.mutate({ target: runTarget(), body: '  The **KL** term flattens here.  ' });
  await heard;
  const me = await editor.api.people.me.query();
  assert.equal(added.body, 'The **KL** term flattens here.', 'the body is trimmed');
  assert.deepEqual(added.author, { id: me.id, name: me.name, color: personColor(me.id) });
  assert.equal(added.pin, null);
  assert.deepEqual((await viewer.api.comments.list.query({ target: runTarget() })).map((c) => c.id), [added.id]);

  heard = told();
  const edited = await editor.api.comments.edit.mutate({ id: added.id, body: 'The KL term flattens after step 2.' });
  await heard;
  assert.equal(edited.body, 'The KL term flattens after step 2.');
  assert.ok(edited.editedAt !== null && edited.editedAt >= added.createdAt);

  heard = told();
  assert.deepEqual(await editor.api.comments.remove.mutate({ id: added.id }), { removed: added.id });
  await heard;
  assert.deepEqual(await viewer.api.comments.list.query({ target: runTarget() }), []);
  page.close();
});

test("another person may not edit or delete someone's comment (403); an admin may", async () => {
  const comment = await editor.api.comments.add.mutate({ target: runTarget(), body: 'mine' });
  await refused(viewer.api.comments.edit.mutate({ id: comment.id, body: 'yours now' }), 403, /only your own comments/);
  await refused(viewer.api.comments.remove.mutate({ id: comment.id }), 403, /only your own comments/);
  await refused(ann.api.comments.remove.mutate({ id: comment.id }), 403, /only your own comments/);
  assert.equal((await server.api.comments.edit.mutate({ id: comment.id, body: 'moderated' })).body, 'moderated');
  await server.api.comments.remove.mutate({ id: comment.id });
  await refused(editor.api.comments.edit.mutate({ id: comment.id, body: 'gone?' }), 404, /no longer exists/);
  const moderation = server.services.activity.list({ limit: 20 }).find((e) => e.action === 'deleted' && e.targetKind === 'comment' && e.targetId === String(comment.id));
  assert.ok(moderation, "an admin's removal of someone else's comment is in the activity log");
});

test('a body is 1 to 4,000 characters, with a clear error beyond', async () => {
  await refused(viewer.api.comments.add.mutate({ target: runTarget(), body: 'x'.repeat(4001) }), 400, /at most 4,000 characters/);
  await refused(viewer.api.comments.add.mutate({ target: runTarget(), body: ' \n ' }), 400, /Write something first/);
  const longest = await viewer.api.comments.add.mutate({ target: runTarget(), body: 'y'.repeat(4000) });
  assert.equal(longest.body.length, 4000);
  await viewer.api.comments.remove.mutate({ id: longest.id });
});

test("pins: a step the run has recorded or one of its sample grids, on runs only", async () => {
  const atStep = await viewer.api.comments.add.mutate({ target: runTarget(), body: 'here', pin: { step: lastStep } });
  assert.deepEqual(atStep.pin, { step: lastStep });
  const grid = grids.find((i) => i.kind === 'samples' && i.step > 0)!;
  const onGrid = await viewer.api.comments.add.mutate({ target: runTarget(), body: 'this grid', pin: { imageId: grid.id } });
  assert.deepEqual(onGrid.pin, { step: grid.step, imageId: grid.id }, 'a grid pin also marks its step');
  await refused(viewer.api.comments.add.mutate({ target: runTarget(), body: 'x', pin: { step: lastStep + 1 } }), 400, /past this run's last recorded step/);
  await refused(viewer.api.comments.add.mutate({ target: runTarget(), body: 'x', pin: { imageId: grids.find((i) => i.kind === 'real')!.id } }), 400, /not one of this run's sample grids/);
  await refused(viewer.api.comments.add.mutate({ target: runTarget(), body: 'x', pin: { imageId: 999_999 } }), 400, /not one of this run's sample grids/);
  await refused(viewer.api.comments.add.mutate({ target: runTarget(), body: 'x', pin: { imageId: grid.id, step: grid.step + 1 } }), 400, /at step/);
  await refused(viewer.api.comments.add.mutate({ target: runTarget(), body: 'x', pin: { step: -1 } }), 400, /pin\.step/);
  await refused(viewer.api.comments.add.mutate({ target: runTarget(), body: 'x', pin: { step: 1, x: 3 } as never }), 400, /pin/);
  await refused(viewer.api.comments.add.mutate({ target: { kind: 'cell', id: 'cnn||real' }, body: 'x', pin: { step: 0 } }), 400, /Only comments on a run/);
  await refused(viewer.api.comments.add.mutate({ target: { kind: 'run', id: 'r-nope' }, body: 'x' }), 404, /No run/);
  await refused(viewer.api.comments.add.mutate({ target: { kind: 'study', id: 's-nope' }, body: 'x' }), 404, /No study/);
  assert.deepEqual((await viewer.api.comments.list.query({ target: runTarget() })).map((c) => c.id), [atStep.id, onGrid.id]);
});

test('table cells: threads by model|technique|trainData, counted for the badges, told to everyone', async () => {
  const anywhere = await editor.browser();
  const cell: CommentTargetRef = { kind: 'cell', id: 'cvae|giaem|mixed-vae' };
  const heard = next<{ target: CommentTargetRef }>(anywhere, 'comments:updated', (m) => m.target.kind === 'cell');
  await editor.api.comments.add.mutate({ target: cell, body: 'Why is this one so low?' });
  assert.deepEqual((await heard).target, cell);
  assert.equal((await viewer.api.comments.cellCounts.query())['cvae|giaem|mixed-vae'], 1);
  await refused(viewer.api.comments.add.mutate({ target: { kind: 'cell', id: 'cnn' }, body: 'x' }), 400, /model\|technique\|trainData/);
  const entry = server.services.activity.list({ limit: 20 }).find((e) => e.action === 'commented' && /table cell cvae · giaem · mixed-vae/.test(e.summary));
  assert.ok(entry, 'the comment is in the activity log');
  anywhere.close();
});

test('every comments procedure needs a session (401)', async () => {
  const procedures = Object.keys(appRouter._def.procedures).filter((n) => n.startsWith('comments.'));
  assert.deepEqual(procedures.sort(), ['comments.add', 'comments.cellCounts', 'comments.edit', 'comments.list', 'comments.remove']);
  await refused(server.anonymous.comments.list.query({ target: runTarget() }), 401, /Sign in first/);
  await refused(server.anonymous.comments.cellCounts.query(), 401, /Sign in first/);
  await refused(server.anonymous.comments.add.mutate({ target: runTarget(), body: 'x' }), 401, /Sign in first/);
  await refused(server.anonymous.comments.edit.mutate({ id: 1, body: 'x' }), 401, /Sign in first/);
  await refused(server.anonymous.comments.remove.mutate({ id: 1 }), 401, /Sign in first/);
});

test('presence: who watches a run page, live; a person with two tabs counts once; leaving or dropping clears', async () => {
  const a = await ann.browser();
  const b = await bea.browser();
  const [annName, beaName] = [(await ann.api.people.me.query()).name, (await bea.api.people.me.query()).name];
  assert.ok(names(await online(a)).includes(beaName), 'both are online');

  assert.deepEqual(names((await watch(a, runTarget()))!), [annName]);
  let update = next<PageViewers>(a, 'presence:updated', (m) => m.viewers.length === 2);
  assert.deepEqual(names((await watch(b, runTarget()))!).sort(), [annName, beaName].sort());
  const both = await update;
  assert.deepEqual(both.page, runTarget());
  assert.ok(both.viewers.every((v) => v.color === personColor(v.id)));

  const b2 = await bea.browser();
  assert.equal((await watch(b2, runTarget()))!.length, 2, 'a second tab adds no one');
  b2.close();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await watch(a, runTarget()))!.length, 2, 'closing one of two tabs keeps the person');

  // Bea moves to a study page: she leaves the run page.
  update = next<PageViewers>(a, 'presence:updated', (m) => m.viewers.length === 1);
  await watch(b, { kind: 'study', id: 's-elsewhere' });
  assert.deepEqual(names((await update).viewers), [annName]);
  await watch(b, runTarget());

  // Bea's connection drops: she is off the page and offline.
  update = next<PageViewers>(a, 'presence:updated', (m) => m.viewers.length === 1);
  const offline = next<PresencePerson[]>(a, 'presence:online', (people) => !names(people).includes(beaName));
  b.disconnect();
  assert.deepEqual(names((await update).viewers), [annName]);
  await offline;

  for (const page of [{ kind: 'dataset', id: 'ds-1' }, { kind: 'run', id: 'r-'.padEnd(65, 'x') }, { kind: 'run', id: '../x' }, { kind: 'run', id: 'r-1', extra: 1 }, 'r-1']) {
    assert.equal(await watch(a, page), null, `refused ${JSON.stringify(page)}`);
  }
  a.emit('presence:unwatch', runTarget());
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(server.services.hub.presence.viewers(runTarget()), []);
});
