// The activity log: an editor's launches, cancels, synthesis request, upload and study
// launch/cancel/retry each appear in activity.list under the editor with a readable line, newest
// first; the list filters by person and pages back; a viewer reads it, and their refused launch
// writes nothing. Runs carry who launched them, a study's steps too, and the runs list filters by it.
// An admin's invitations, role changes and removals, and people joining, are logged too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, waitForRun, type Person, type TestServer } from '../helpers/server';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { zipFolder } from '../helpers/zip';

let server: TestServer;
let editor: Person;
let viewer: Person;
let editorId = '';
let work = '';
const ids = { vae: '', cnn: '', synth: '', study: '', dataset: '' };

before(async () => {
  server = await startTestServer();
  editor = await server.signInAs('editor');
  viewer = await server.signInAs('viewer');
  editorId = (await editor.api.people.me.query()).id;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-activity-'));
});
after(async () => {
  await server?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

const latest = () => server.api.activity.list.query({ limit: 100 });

test("an editor's launch, cancel, synthesis, upload and study launch/cancel/retry are logged under them, newest first", async () => {
  const browser = await editor.browser();
  const vae = await editor.api.runs.launch.mutate({ model: 'vae', preset: 'smoke', seed: 0, imageClass: 'tumor' });
  ids.vae = vae.id;
  const done = await waitForRun(browser, vae.id, (r) => r.status === 'succeeded' || r.status === 'failed');
  assert.equal(done.status, 'succeeded', done.error ?? '');

  ids.cnn = (await editor.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 4 })).id;
  await editor.api.runs.cancel.mutate({ id: ids.cnn });
  ids.synth = (await editor.api.datasets.synthesize.mutate({ generators: [{ runId: ids.vae }], perClass: 8, seed: 2 })).id;
  await editor.api.runs.cancel.mutate({ id: ids.synth });

  const raw = path.join(work, 'raw');
  await writeRawDemoDataset(raw, { seed: 5, perClass: 12, duplicateShare: 0 });
  await zipFolder(raw, path.join(work, 'scans.zip'));
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(path.join(work, 'scans.zip'))]), 'scans.zip');
  const upload = await editor.fetch('/api/datasets/upload?importId=activity&name=scans', { method: 'POST', body: form, headers: { origin: server.url } });
  assert.equal(upload.status, 200, await upload.clone().text());
  ids.dataset = ((await upload.json()) as { dataset: { id: string } }).dataset.id;

  const study = await editor.api.studies.launch.mutate({ preset: 'smoke', seeds: 1 });
  ids.study = study.id;
  await editor.api.studies.cancel.mutate({ id: study.id });
  await editor.api.studies.retry.mutate({ id: study.id });
  await editor.api.studies.cancel.mutate({ id: study.id });

  const mine = (await latest()).filter((e) => e.userId === editorId);
  const lines = mine.map((e) => `${e.action} ${e.targetKind} ${e.targetId}: ${e.summary}`);
  assert.deepEqual(
    mine.map((e) => [e.action, e.targetKind, e.targetId]),
    [
      ['cancelled', 'study', ids.study],
      ['retried', 'study', ids.study],
      ['cancelled', 'study', ids.study],
      ['launched', 'study', ids.study],
      ['imported', 'dataset', ids.dataset],
      ['cancelled', 'run', ids.synth],
      ['synthesised', 'run', ids.synth],
      ['cancelled', 'run', ids.cnn],
      ['launched', 'run', ids.cnn],
      ['launched', 'run', ids.vae],
      ['joined', 'person', editorId],
    ],
    lines.join('\n'),
  );
  const summary = (action: string, target: string) => mine.find((e) => e.action === action && e.targetId === target)!.summary;
  assert.equal(summary('launched', ids.vae), 'vae (tumor) · smoke · seed 0 on demo-br35h-like-60');
  assert.equal(summary('launched', ids.cnn), 'cnn · smoke · seed 4 on demo-br35h-like-60');
  assert.equal(summary('synthesised', ids.synth), 'synthesis: 8 images per class from vae (tumor) · seed 2 on demo-br35h-like-60');
  assert.equal(summary('imported', ids.dataset), 'scans (24 images)');
  assert.equal(summary('launched', ids.study), 'Table 1 · smoke · 1 seed');
  assert.match(summary('retried', ids.study), /^Table 1 · smoke · 1 seed \(\d+ steps? relaunched\)$/);
  assert.ok(mine.every((e) => e.userName === 'editor1'), 'each entry names the editor');
  for (let i = 1; i < mine.length; i++) assert.ok(mine[i - 1].id > mine[i].id && mine[i - 1].createdAt >= mine[i].createdAt, 'newest first');
});

test('the list filters by person and pages back with beforeId', async () => {
  const everyone = await latest();
  assert.ok(everyone.some((e) => e.action === 'invited' && e.userName === 'Ada Admin'), 'the admin invited people');
  const editors = await server.api.activity.list.query({ userId: editorId });
  assert.ok(editors.length >= 11 && editors.every((e) => e.userId === editorId));
  assert.deepEqual(await server.api.activity.list.query({ userId: 'nobody-with-this-id' }), []);

  const first = await viewer.api.activity.list.query({ limit: 3 });
  const second = await viewer.api.activity.list.query({ limit: 3, beforeId: first.at(-1)!.id });
  assert.deepEqual([...first, ...second].map((e) => e.id), everyone.slice(0, 6).map((e) => e.id));
  assert.equal((await viewer.api.activity.list.query({ limit: 10_000 })).length, Math.min(everyone.length, 100), 'the limit is capped');
  const people = await viewer.api.activity.people.query();
  assert.deepEqual(people.map((p) => p.name), ['Ada Admin', 'editor1', 'viewer2']);
});

test("a viewer reads the log, but their refused launch writes nothing", async () => {
  const before = await viewer.api.activity.list.query();
  await assert.rejects(viewer.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 9 }), /needs the editor role/);
  await assert.rejects(viewer.api.studies.launch.mutate({ preset: 'smoke', seeds: 1 }), /needs the editor role/);
  assert.deepEqual(await viewer.api.activity.list.query(), before);
});

test("runs carry who launched them (a study's steps: who started it) and the list filters by it", async () => {
  const study = await viewer.api.studies.get.query({ id: ids.study });
  assert.equal(study.launchedBy, 'editor1');
  const stepRun = study.nodes.find((n) => n.runId && !n.reused)!.runId!;
  const mine = await viewer.api.runs.list.query({ launchedBy: editorId });
  for (const id of [ids.vae, ids.cnn, ids.synth, stepRun]) assert.ok(mine.some((r) => r.id === id), `${id} is listed as the editor's`);
  assert.ok(mine.every((r) => r.launchedById === editorId && r.launchedBy === 'editor1'));
  assert.deepEqual(await viewer.api.runs.list.query({ launchedBy: null }), [], 'the command line launched nothing');
  assert.equal((await viewer.api.runs.list.query()).length, mine.length);
  assert.deepEqual(await viewer.api.runs.launchers.query(), { people: [{ id: editorId, name: 'editor1' }], commandLine: false });
});

test("the command line's system actor is logged as no person", async () => {
  const caller = (await import('../../server/api/root')).appRouter.createCaller(server.system.context);
  const run = await caller.runs.launch({ model: 'cnn', preset: 'smoke', seed: 6 });
  await caller.runs.cancel({ id: run.id });
  const [cancelled, launched] = await latest();
  assert.deepEqual([cancelled.action, cancelled.userId, cancelled.userName, launched.action, launched.userId], ['cancelled', null, null, 'launched', null]);
  assert.equal((await viewer.api.runs.launchers.query()).commandLine, true);
});

test("an admin's invitation, role change and removal are logged, and the invitee's joining", async () => {
  const temp = await server.signInAs('viewer');
  const { id } = await temp.api.people.me.query();
  await server.api.people.setRole.mutate({ id, role: 'editor' });
  await server.api.people.remove.mutate({ id });
  const [deleted, changed, joined, invited] = await latest();
  assert.deepEqual([invited.action, invited.targetKind, invited.userName, invited.summary], ['invited', 'invite', 'Ada Admin', 'a viewer invitation']);
  assert.deepEqual([joined.action, joined.targetId, joined.summary], ['joined', id, 'as viewer']);
  assert.deepEqual([changed.action, changed.targetId, changed.userName, changed.summary], ['role-changed', id, 'Ada Admin', 'viewer3: viewer → editor']);
  assert.deepEqual([deleted.action, deleted.targetKind, deleted.targetId, deleted.summary], ['deleted', 'person', id, 'viewer3 (viewer3@lab.test, editor)']);
});
