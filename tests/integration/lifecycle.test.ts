// Limits and lifecycle: deleting runs, studies and datasets (refused while something depends on
// them, then with their dependents, rows and files gone and everything else untouched), who may
// delete what, the demo dataset and running runs refused; the per-person queue cap and the
// free-space check, each refusing with nothing created.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { eq, inArray, sql } from 'drizzle-orm';
import os from 'node:os';
import { makeApi, startTestServer, waitForRun, type Api, type BrowserSocket, type Person, type TestServer } from '../helpers/server';
import { startServer, type RunningServer } from '../../server/index';
import { metricPoints, runImages, runs } from '../../db/schema';
import { activity } from '../../db/team-schema';
import type { RunView, SyntheticSummary } from '../../lib/contracts/events';

const finished = (r: RunView) => ['succeeded', 'failed', 'cancelled'].includes(r.status);
const refused = (pattern: RegExp, code?: string) => (err: Error & { data?: { code?: string } }) => {
  assert.match(err.message, pattern);
  if (code) assert.equal(err.data?.code, code, err.message);
  assert.doesNotMatch(err.message, /\/tmp\/|at .*\.ts:\d+/, 'no paths or stacks');
  return true;
};
const exists = (server: TestServer, ...parts: string[]) => fs.existsSync(path.join(server.dataDir, ...parts));

describe('deleting runs and datasets', () => {
  let server: TestServer;
  let browser: BrowserSocket;
  let editor: Person;
  const ids = { generator: '', synthesis: '', synthetic: '', classifier: '', other: '' };

  before(async () => {
    server = await startTestServer();
    browser = await server.browser();
    editor = await server.signInAs('editor');
    const launched = await server.api.runs.launch.mutate({ model: 'gan', preset: 'smoke', seed: 1, imageClass: 'tumor', overrides: { epochs: 1 } });
    assert.equal((await waitForRun(browser, launched.id, finished)).status, 'succeeded');
    ids.generator = launched.id;
    const synth = await server.api.datasets.synthesize.mutate({ generators: [{ runId: ids.generator }], perClass: 8 });
    const synthesis = await waitForRun(browser, synth.id, finished, 180_000);
    assert.equal(synthesis.status, 'succeeded', synthesis.error ?? '');
    ids.synthesis = synth.id;
    ids.synthetic = (synthesis.summary as SyntheticSummary).datasetId!;
    // A classifier on the synthetic data (cancelled: it only has to exist) and an unrelated run.
    const classifier = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', trainData: 'mixed', syntheticDatasetId: ids.synthetic, overrides: { epochs: 200, patience: 200 } });
    await server.api.runs.cancel.mutate({ id: classifier.id });
    ids.classifier = classifier.id;
    const other = await editor.api.runs.launch.mutate({ model: 'gan', preset: 'smoke', seed: 2, imageClass: 'healthy', overrides: { epochs: 1 } });
    assert.equal((await waitForRun(browser, other.id, finished)).status, 'succeeded');
    ids.other = other.id;
  });
  after(async () => {
    await server.stop();
  });

  test('a generator run with a synthetic dataset is refused, listing its dependents, and nothing goes', async () => {
    const plan = await server.api.runs.deletionPlan.query({ id: ids.generator });
    assert.deepEqual(plan.dependents.map((d) => d.id).sort(), [ids.synthesis, ids.synthetic, ids.classifier].sort());
    assert.deepEqual(plan.blockers, []);
    await assert.rejects(server.api.runs.delete.mutate({ id: ids.generator }), refused(/cannot be deleted: 2 runs and 1 dataset depend on it.*--with-dependents/, 'CONFLICT'));
    await assert.rejects(server.api.datasets.delete.mutate({ id: ids.synthetic }), refused(/1 run depends on it.*cnn · smoke/, 'CONFLICT'));
    assert.ok(exists(server, 'artifacts', ids.generator, 'checkpoints'));
    assert.ok((await server.api.datasets.list.query()).some((d) => d.id === ids.synthetic));
    assert.ok(exists(server, 'datasets', ids.synthetic, 'images.u8'));
  });

  test('a viewer may not delete, and an editor may not delete what someone else launched', async () => {
    const viewer = await server.signInAs('viewer');
    await assert.rejects(viewer.api.runs.delete.mutate({ id: ids.other }), refused(/needs the editor role/, 'FORBIDDEN'));
    await assert.rejects(editor.api.runs.delete.mutate({ id: ids.generator, cascade: true }), refused(/Editors delete only what they launched or imported; 3 runs and 1 dataset here were started by someone else/, 'FORBIDDEN'));
    const plan = await editor.api.runs.deletionPlan.query({ id: ids.generator });
    assert.equal(plan.notYours.length, 4);
    assert.ok((await server.api.runs.get.query({ id: ids.generator })).run);
  });

  test('with its dependents it goes: rows, files, live lists; other runs stay', async () => {
    const pointsBefore = server.services.db.select({ n: sql<number>`count(*)` }).from(metricPoints).where(eq(metricPoints.runId, ids.generator)).get()!.n;
    assert.ok(pointsBefore > 0);
    const announced = new Promise<string[]>((resolve) => browser.once('runs:deleted', ({ runIds }) => resolve(runIds)));
    const datasetsAnnounced = new Promise<void>((resolve) => browser.once('datasets:updated', () => resolve()));
    const result = await server.api.runs.delete.mutate({ id: ids.generator, cascade: true });
    assert.deepEqual(result, { runs: 3, studies: 0, datasets: 1 });
    assert.deepEqual((await announced).sort(), [ids.generator, ids.synthesis, ids.classifier].sort());
    await datasetsAnnounced;

    const gone = [ids.generator, ids.synthesis, ids.classifier];
    const { db } = server.services;
    assert.equal(db.select().from(runs).where(inArray(runs.id, gone)).all().length, 0);
    assert.equal(db.select().from(metricPoints).where(inArray(metricPoints.runId, gone)).all().length, 0);
    assert.equal(db.select().from(runImages).where(inArray(runImages.runId, gone)).all().length, 0);
    for (const id of gone) assert.ok(!exists(server, 'artifacts', id), `artifacts/${id} is gone`);
    assert.ok(!exists(server, 'datasets', ids.synthetic));
    await assert.rejects(server.api.runs.get.query({ id: ids.generator }), refused(/No run with id/, 'NOT_FOUND'));
    assert.ok(!(await server.api.datasets.list.query()).some((d) => d.id === ids.synthetic));

    const other = await server.api.runs.get.query({ id: ids.other });
    assert.equal(other.run.status, 'succeeded');
    assert.ok(db.select().from(metricPoints).where(eq(metricPoints.runId, ids.other)).all().length > 0);

    const entry = db.select().from(activity).where(eq(activity.action, 'deleted')).all().at(-1)!;
    assert.equal(entry.targetId, ids.generator);
    assert.match(entry.summary, /gan \(tumor\).*with 2 runs and 1 dataset/);
  });

  test('an editor deletes their own run with its folder', async () => {
    assert.ok(exists(server, 'artifacts', ids.other));
    assert.deepEqual(await editor.api.runs.delete.mutate({ id: ids.other }), { runs: 1, studies: 0, datasets: 0 });
    assert.ok(!exists(server, 'artifacts', ids.other));
  });

  test('the demo dataset cannot be deleted, even with its dependents', async () => {
    const demo = (await server.api.datasets.list.query()).find((d) => d.kind === 'demo')!;
    await assert.rejects(server.api.datasets.delete.mutate({ id: demo.id, cascade: true }), refused(/built-in demo dataset.*cannot be deleted/, 'CONFLICT'));
    assert.ok(exists(server, 'datasets'));
    assert.ok((await server.api.datasets.list.query()).some((d) => d.id === demo.id));
  });

  test('a running run is refused until it is cancelled; unknown ids are 404', async () => {
    const long = await server.api.runs.launch.mutate({ model: 'gan', preset: 'smoke', imageClass: 'healthy', overrides: { epochs: 200 } });
    await waitForRun(browser, long.id, (r) => r.status === 'running');
    await assert.rejects(server.api.runs.delete.mutate({ id: long.id, cascade: true }), refused(/1 run queued or running.*cancel it first/, 'CONFLICT'));
    assert.equal((await server.api.runs.get.query({ id: long.id })).run.status, 'running');
    await server.api.runs.cancel.mutate({ id: long.id });
    await server.api.runs.delete.mutate({ id: long.id });
    await assert.rejects(server.api.runs.get.query({ id: long.id }), refused(/No run/, 'NOT_FOUND'));
    await assert.rejects(server.api.runs.delete.mutate({ id: 'r-missing' }), refused(/No run with id r-missing/, 'NOT_FOUND'));
    await assert.rejects(server.api.studies.deletionPlan.query({ id: 's-missing' }), refused(/No study with id s-missing/, 'NOT_FOUND'));
  });

  test('npm run delete deletes through a running dashboard with a token, and lists the dependents it refuses', async () => {
    const { token } = await editor.api.tokens.create.mutate({ name: 'cli' });
    const mine = await editor.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 4, overrides: { epochs: 200, patience: 200 } });
    // Asynchronously: the dashboard answering it lives in this process.
    const cli = (...args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', 'server/cli/delete.ts', ...args, '--server', server.url], { env: { ...process.env, MRI_TOKEN: token }, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const active = await cli('run', mine.id);
    assert.equal(active.status, 1);
    assert.match(active.stderr, /queued or running.*cancel it first/);
    await editor.api.runs.cancel.mutate({ id: mine.id });
    const out = await cli('run', mine.id, '--json');
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout.trim().split('\n').at(-1)!), { deleted: { kind: 'run', id: mine.id }, runs: 1, studies: 0, datasets: 0 });
    const bad = await cli('model', mine.id);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /say what to delete: run, study or dataset/);
  });
});

describe('studies, the queue cap and the free space', () => {
  let server: TestServer;
  let editor: Person;

  before(async () => {
    // No workers: launched runs stay queued, as under a long queue.
    server = await startTestServer({ MAX_WORKERS: 0, MAX_QUEUED_PER_USER: 20 });
    editor = await server.signInAs('editor');
  });
  after(async () => {
    await server.stop();
  });

  test('a study counts all its steps against the cap; the cap is per person and names the setting', async () => {
    const study = await editor.api.studies.launch.mutate({ template: 'table1', preset: 'smoke', seeds: 1, sweep: false });
    assert.equal(study.nodes.length, 16);
    for (let i = 0; i < 4; i++) await editor.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 10 + i });
    const before = (await server.api.runs.list.query()).length;
    await assert.rejects(editor.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 99 }), refused(/you have 20 queued or planned and this adds 1, past the limit of 20 per person \(MAX_QUEUED_PER_USER\)/, 'TOO_MANY_REQUESTS'));
    await assert.rejects(editor.api.studies.launch.mutate({ template: 'table1', preset: 'smoke', seeds: 1, sweep: false }), refused(/this adds 16, past the limit of 20/, 'TOO_MANY_REQUESTS'));
    assert.equal((await server.api.runs.list.query()).length, before);
    assert.equal((await server.api.studies.list.query()).length, 1);
    // Someone else's queue is their own.
    await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 50 });

    // A study with queued runs is refused; cancelled, it goes alone (its runs stay) or with them.
    await assert.rejects(editor.api.studies.delete.mutate({ id: study.id }), refused(/queued or running.*cancel them first/, 'CONFLICT'));
    await editor.api.studies.cancel.mutate({ id: study.id });
    const plan = await editor.api.studies.deletionPlan.query({ id: study.id });
    assert.equal(plan.dependentsOptional, true);
    assert.equal(plan.dependents.length, 6, 'the study launched its four generators and two real-data classifiers');
    assert.deepEqual(await editor.api.studies.delete.mutate({ id: study.id }), { runs: 0, studies: 1, datasets: 0 });
    for (const d of plan.dependents) assert.equal((await server.api.runs.get.query({ id: d.id })).run.status, 'cancelled');

    const second = await editor.api.studies.launch.mutate({ template: 'table1', preset: 'smoke', seeds: 1, sweep: false });
    await editor.api.studies.cancel.mutate({ id: second.id });
    const launchedRuns = second.nodes.filter((n) => n.runId).map((n) => n.runId!);
    assert.deepEqual(await editor.api.studies.delete.mutate({ id: second.id, cascade: true }), { runs: launchedRuns.length, studies: 1, datasets: 0 });
    for (const id of launchedRuns) await assert.rejects(server.api.runs.get.query({ id }), refused(/No run/));
    await assert.rejects(server.api.studies.get.query({ id: second.id }), refused(/No study/, 'NOT_FOUND'));
  });
});

describe('the free-space check', () => {
  let server: RunningServer;
  let dataDir: string;
  let api: Api;
  before(async () => {
    // As the command line's system actor (not capped, but checked for space): the sign-ins of one
    // test file share better-auth's limit of five a minute, and the suites above use five.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-dash-'));
    server = await startServer({ withNext: false, env: { PORT: 0, DATA_DIR: dataDir, DEMO_PER_CLASS: 60, MAX_WORKERS: 0, MIN_FREE_MB: 1_000_000_000 }, log: () => {} });
    api = makeApi(server.url, server.system.headers);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('runs, studies and uploads are refused with the free and needed space, and nothing is created', async () => {
    const message = /only [\d,]+ MB free under DATA_DIR; this needs about [\d,]+ MB and MIN_FREE_MB keeps 1,000,000,000 MB free/;
    await assert.rejects(api.runs.launch.mutate({ model: 'gan', preset: 'quick', imageClass: 'tumor' }), refused(message, 'PRECONDITION_FAILED'));
    await assert.rejects(api.studies.launch.mutate({ template: 'table1', preset: 'smoke', seeds: 1 }), refused(message, 'PRECONDITION_FAILED'));
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(1000)]), 'scans/x.png');
    const res = await fetch(`${server.url}/api/datasets/upload?importId=full-disk`, { method: 'POST', body: form, headers: { ...server.system.headers, origin: server.url } });
    assert.equal(res.status, 507);
    assert.match(((await res.json()) as { error: string }).error, message);
    assert.equal((await api.runs.list.query()).length, 0);
    assert.equal((await api.studies.list.query()).length, 0);
    assert.deepEqual((await api.datasets.list.query()).map((d) => d.kind), ['demo']);
    const tmp = path.join(dataDir, 'tmp');
    assert.deepEqual(fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((n) => n.startsWith('upload')) : [], []);
  });
});
