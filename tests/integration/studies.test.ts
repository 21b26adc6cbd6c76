// Studies end to end at the smoke preset: the Table 1 template runs as a DAG (generators, then
// synthetic datasets, then classifiers on real, synthetic and mixed data for two seeds); a
// cancelled generator blocks only what depends on it and retry completes it; the table agrees
// with the runs' own metrics; a repeated study reuses every run; the exports parse back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { startTestServer, type TestServer } from '../helpers/server';
import type { AnomalySummary, ClassifierSummary, RunView } from '../../lib/contracts/events';
import type { StudyView } from '../../lib/contracts/study';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

async function waitForStudy(id: string, done: (s: StudyView) => boolean, timeoutMs = 420_000): Promise<StudyView> {
  const browser = await server.browser();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = (await server.api.studies.get.query({ id })) as StudyView;
    if (done(view)) return view;
    if (Date.now() > deadline) throw new Error(`study ${id} still ${view.status}: ${JSON.stringify(view.counts)}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      browser.once('study:updated', () => (clearTimeout(timer), resolve()));
    });
  }
}
const settled = (s: StudyView) => s.status !== 'running';

let studyId = '';

test('a cancelled generator blocks only its dependents; retry completes the study', async () => {
  const study = (await server.api.studies.launch.mutate({ preset: 'smoke', seeds: 2 })) as StudyView;
  studyId = study.id;
  assert.equal(study.nodes.length, 4 + 2 + 2 * (5 + 5 + 2));
  const gan = study.nodes.find((n) => n.key === 'gen-gan-tumor')!;
  assert.equal(gan.state, 'queued');
  await server.api.runs.cancel.mutate({ id: gan.runId! });

  const first = await waitForStudy(studyId, settled);
  assert.equal(first.status, 'failed');
  const state = (key: string) => first.nodes.find((n) => n.key === key)!.state;
  assert.equal(state('gen-gan-tumor'), 'cancelled');
  assert.equal(state('synth-gan'), 'blocked');
  for (const n of first.nodes.filter((n) => n.key.includes('-gan-s'))) assert.equal(n.state, 'blocked', n.key);
  for (const n of first.nodes.filter((n) => !n.key.includes('gan'))) assert.equal(n.state, 'succeeded', `${n.key}: ${n.reason}`);

  const { relaunched } = await server.api.studies.retry.mutate({ id: studyId });
  assert.equal(relaunched, 1 + 1 + 2 * 4);
  const second = await waitForStudy(studyId, settled);
  assert.equal(second.status, 'succeeded', JSON.stringify(second.counts));
  assert.equal(second.nodes.find((n) => n.key === 'gen-gan-tumor')!.attempts, 1);
});

test("the study's table agrees with its runs' own metrics", async () => {
  const view = (await server.api.studies.get.query({ id: studyId })) as StudyView;
  const runs = new Map<string, RunView>();
  for (const n of view.nodes) if (n.runId) runs.set(n.runId, (await server.api.runs.get.query({ id: n.runId })).run);
  const columns = ['real', 'synthetic-vae', 'synthetic-gan', 'mixed-vae', 'mixed-gan', 'mixed-vae×0.25', 'mixed-vae×0.5'];
  for (const column of columns) {
    const nodes = view.nodes.filter((n) => n.model === 'cnn' && n.column === column);
    assert.equal(nodes.length, 2, column);
    const accuracies = nodes.map((n) => (runs.get(n.runId!)!.summary as ClassifierSummary).accuracy);
    const cell = view.table.find((c) => c.model === 'cnn' && c.trainData === column && c.metric === 'accuracy')!;
    assert.ok(cell, `no cell for cnn ${column}`);
    assert.equal(cell.n, 2);
    assert.ok(Math.abs(cell.mean - (accuracies[0] + accuracies[1]) / 2) < 1e-12, column);
    assert.ok(cell.ciLow! <= cell.mean && cell.mean <= cell.ciHigh!);
    assert.deepEqual(new Set(cell.runIds), new Set(nodes.map((n) => n.runId)));
  }
  for (const technique of ['giaem', 'dbscan', 'kmeans', 'global-kmeans']) {
    const nodes = view.nodes.filter((n) => n.model === 'cvae' && n.column === 'mixed-gan');
    const f1 = nodes.map((n) => (runs.get(n.runId!)!.summary as AnomalySummary).techniques.find((t) => t.technique === technique)!.f1);
    const cell = view.table.find((c) => c.model === 'cvae' && c.technique === technique && c.trainData === 'mixed-gan' && c.metric === 'f1')!;
    assert.ok(Math.abs(cell.mean - (f1[0] + f1[1]) / 2) < 1e-12, technique);
  }
  // Two seeds share every column with the real baseline: each non-real cell has its paired test.
  assert.ok(view.table.filter((c) => c.trainData !== 'real').every((c) => c.vsReal && c.vsReal.n === 2 && c.vsReal.pHolm >= c.vsReal.p));
  assert.deepEqual(view.sweep.filter((p) => p.metric === 'accuracy').map((p) => p.ratio), [0, 0.25, 0.5, 1]);
});

test('the same study again reuses every run instead of training', async () => {
  const again = (await server.api.studies.launch.mutate({ preset: 'smoke', seeds: 2 })) as StudyView;
  assert.equal(again.status, 'succeeded');
  assert.ok(again.nodes.every((n) => n.reused && n.state === 'succeeded'));
});

test('the table exports as CSV, JSON and LaTeX that read back', async () => {
  const view = (await server.api.studies.get.query({ id: studyId })) as StudyView;
  const csv = await (await server.fetch(`/api/studies/${studyId}/table.csv`)).text();
  const records = parse(csv, { columns: true }) as Record<string, string>[];
  assert.equal(records.length, view.table.length);
  for (const cell of view.table) {
    const r = records.find((x) => x.model === cell.model && x.technique === cell.technique && x.trainData === cell.trainData && x.metric === cell.metric)!;
    assert.equal(Number(r.mean), cell.mean);
    assert.equal(Number(r.n), cell.n);
    assert.deepEqual(r.runIds.split(' '), cell.runIds);
  }
  const json = await (await server.fetch(`/api/studies/${studyId}/table.json`)).json();
  assert.equal(json.length, view.table.length);
  assert.deepEqual(Object.keys(json[0]).slice(0, 8), ['model', 'technique', 'trainData', 'metric', 'mean', 'ciLow', 'ciHigh', 'n']);
  const tex = await (await server.fetch(`/api/studies/${studyId}/table.tex`)).text();
  assert.match(tex, /\\begin\{tabular\}\{llrrrrrr\}/);
  const rows = tex.split('\n').filter((l) => l.endsWith('\\\\'));
  assert.ok(rows.length > 1 && rows.every((l) => l.split(' & ').length === 8), 'every row has 8 columns');
  assert.ok(rows.some((l) => l.includes('mixed-vae×0.25') || l.includes('mixed-vae')));
  const missing = await server.fetch(`/api/studies/s-nope/table.csv`);
  assert.equal(missing.status, 404);
});

test('study steps that others wait on are queued with priority', async () => {
  const view = (await server.api.studies.get.query({ id: studyId })) as StudyView;
  const { db } = server.services;
  const priority = (key: string) => {
    const runId = view.nodes.find((n) => n.key === key)!.runId!;
    return db.$client.prepare('select priority from runs where id = ?').get(runId) as { priority: number };
  };
  // synth-vae feeds 2 seeds x (4 classifiers + 2 sweep runs); its generators feed it as well.
  assert.equal(priority('synth-vae').priority, 12);
  assert.equal(priority('gen-vae-tumor').priority, 13);
  assert.equal(priority('cnn-real-s0').priority, 0);
});

test('cancelling a study cancels its queued runs and launches nothing more', async () => {
  // Another size of synthetic set: generators and real-data classifiers are reused, the rest is new.
  const study = (await server.api.studies.launch.mutate({ preset: 'smoke', seeds: 1, sweep: false, perClass: 40 })) as StudyView;
  assert.ok(study.nodes.filter((n) => n.key.startsWith('gen-')).every((n) => n.reused));
  assert.equal(study.nodes.find((n) => n.key === 'synth-vae')!.state, 'queued');
  await server.api.studies.cancel.mutate({ id: study.id });
  const view = (await server.api.studies.get.query({ id: study.id })) as StudyView;
  assert.equal(view.status, 'cancelled');
  assert.equal(view.nodes.find((n) => n.key === 'synth-vae')!.state, 'cancelled');
  assert.ok(view.nodes.filter((n) => n.key.includes('-vae-s') || n.key.includes('-gan-s')).every((n) => n.state === 'blocked'));
  assert.equal(view.counts.queued + view.counts.running + view.counts.waiting, 0);
});
