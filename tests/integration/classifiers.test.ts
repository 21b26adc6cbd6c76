// Classifiers end to end: BrainCNN and the BrainCVAE anomaly detector, trained on real, synthetic
// and mixed data and always tested on real data; their cells land in the comparison table under
// the right column, and misuse of synthetic data is refused with a reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, waitForRun, type TestServer } from '../helpers/server';
import type { AnomalySummary, ClassifierSummary, RunView, SyntheticSummary } from '../../lib/contracts/events';

let server: TestServer;
let syntheticId = '';
const finished = (r: RunView) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'cancelled';

async function run(input: Parameters<typeof server.api.runs.launch.mutate>[0]): Promise<RunView> {
  const browser = await server.browser();
  const launched = await server.api.runs.launch.mutate(input);
  const done = await waitForRun(browser, launched.id, finished, 240_000);
  assert.equal(done.status, 'succeeded', done.error ?? '');
  return done;
}

before(async () => {
  server = await startTestServer();
  // A synthetic dataset from one VAE per class (smoke: a few steps, so noisy images).
  const vae = await Promise.all((['tumor', 'healthy'] as const).map((imageClass) => server.api.runs.launch.mutate({ model: 'vae', preset: 'smoke', seed: 1, imageClass })));
  const browser = await server.browser();
  for (const r of vae) assert.equal((await waitForRun(browser, r.id, finished)).status, 'succeeded');
  const synth = await server.api.datasets.synthesize.mutate({ generators: vae.map((r) => ({ runId: r.id })), perClass: 40 });
  const done = await waitForRun(browser, synth.id, finished);
  assert.equal(done.status, 'succeeded', done.error ?? '');
  syntheticId = (done.summary as SyntheticSummary).datasetId!;
});
after(async () => {
  await server.stop();
});

test('BrainCNN on real data reports AUROC and curves beside the four metrics', async () => {
  const done = await run({ model: 'cnn', preset: 'smoke', seed: 0 });
  const s = done.summary as ClassifierSummary;
  assert.ok(s.scores && s.scores.auroc >= 0 && s.scores.auroc <= 1);
  assert.equal(s.scores.roc.fpr[0], 0);
  assert.equal(s.scores.roc.tpr.at(-1), 1);
  assert.deepEqual(s.trainImages, { real: 84, synthetic: 0 });
  assert.equal(s.mayNotHaveConverged, s.bestEpoch === s.epochsTrained);
});

test('a BrainCNN whose best epoch was its last is flagged on the run and in its table cell', async () => {
  // One epoch: the best epoch is necessarily the last one trained.
  const done = await run({ model: 'cnn', preset: 'smoke', seed: 2, overrides: { epochs: 1 } });
  const s = done.summary as ClassifierSummary;
  assert.deepEqual({ best: s.bestEpoch, trained: s.epochsTrained, early: s.stoppedEarly, flagged: s.mayNotHaveConverged }, { best: 1, trained: 1, early: false, flagged: true });
  const logs = (await server.api.runs.get.query({ id: done.id })).logs.map((l) => l.message);
  assert.ok(logs.some((m) => /the model may not have converged/.test(m)), logs.join('\n'));
  const cell = (await server.api.results.table.query()).find((c) => c.model === 'cnn' && c.trainData === 'real' && c.metric === 'accuracy')!;
  assert.ok(cell.notConverged?.includes(done.id), JSON.stringify(cell));
});

test('BrainCNN on synthetic and on mixed data trains on what was asked and tests on real images', async () => {
  const synthetic = await run({ model: 'cnn', preset: 'smoke', seed: 0, trainData: 'synthetic', syntheticDatasetId: syntheticId });
  assert.deepEqual((synthetic.summary as ClassifierSummary).trainImages, { real: 0, synthetic: 80 });
  assert.equal((synthetic.summary as ClassifierSummary).testSize, 12, 'the real test split');
  const mixed = await run({ model: 'cnn', preset: 'smoke', seed: 0, trainData: 'mixed', syntheticDatasetId: syntheticId, mixRatio: 0.5 });
  assert.deepEqual((mixed.summary as ClassifierSummary).trainImages, { real: 84, synthetic: 42 });
  const table = await server.api.results.table.query();
  const columns = new Set(table.filter((c) => c.model === 'cnn').map((c) => c.trainData));
  assert.deepEqual([...columns].sort(), ['mixed-vae×0.5', 'real', 'synthetic-vae'], 'a mix ratio other than 1 is its own column');
  assert.ok(table.some((c) => c.model === 'cnn' && c.trainData === 'synthetic-vae' && c.metric === 'auroc'));
});

test('the BrainCVAE runs all four techniques, each chosen on validation, with heat maps', async () => {
  const done = await run({ model: 'cvae', preset: 'smoke', seed: 0 });
  const s = done.summary as AnomalySummary;
  assert.equal(s.kind, 'anomaly');
  assert.deepEqual(s.techniques.map((t) => t.technique), ['giaem', 'dbscan', 'kmeans', 'global-kmeans']);
  for (const t of s.techniques) {
    assert.equal(t.confusion.tp + t.confusion.fp + t.confusion.tn + t.confusion.fn, s.testSize);
    assert.ok(Number.isFinite(t.scores.auroc));
  }
  assert.ok(s.techniques[0].params.anomalyThreshold > 0 && s.techniques[0].params.tumorIndex > 0);
  assert.equal(s.trainImages.synthetic, 0);
  const stored = await server.api.runs.get.query({ id: done.id });
  assert.equal(stored.images.filter((i) => i.kind === 'heatmap').length, 1);
  const table = await server.api.results.table.query();
  for (const technique of ['giaem', 'dbscan', 'kmeans', 'global-kmeans']) {
    assert.ok(table.some((c) => c.model === 'cvae' && c.technique === technique && c.trainData === 'real' && c.metric === 'f1'), technique);
  }
  // On synthetic healthy images only, with one technique.
  const synthetic = await run({ model: 'cvae', preset: 'smoke', seed: 0, trainData: 'synthetic', syntheticDatasetId: syntheticId, techniques: ['giaem'] });
  const ss = synthetic.summary as AnomalySummary;
  assert.deepEqual(ss.trainImages, { real: 0, synthetic: 40 });
  assert.deepEqual(ss.techniques.map((t) => t.technique), ['giaem']);
});

test('synthetic training data is refused when it is missing or not synthetic', async () => {
  await assert.rejects(server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', trainData: 'synthetic' }), /needs a synthetic dataset/);
  const demo = (await server.api.datasets.list.query()).find((d) => d.kind === 'demo')!;
  await assert.rejects(server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', trainData: 'mixed', syntheticDatasetId: demo.id }), /not a synthetic one/);
  await assert.rejects(server.api.runs.launch.mutate({ model: 'vae', preset: 'smoke', trainData: 'synthetic', syntheticDatasetId: syntheticId }), /generators learn from real data only/);
});

test('the comparison over every run leaves out runs made by an older revision of their job', async () => {
  const { db } = server.services;
  const cvaeRuns = db.$client.prepare("select id, config from runs where model = 'cvae' and status = 'succeeded'").all() as { id: string; config: string }[];
  assert.ok(cvaeRuns.length > 0);
  const before = (await server.api.results.table.query()).filter((c) => c.model === 'cvae');
  assert.ok(before.length > 0);
  // As if they had been trained before the CVAE's selection rule changed (revision 1).
  for (const r of cvaeRuns) {
    const { revision: _old, ...config } = JSON.parse(r.config);
    db.$client.prepare('update runs set config = ? where id = ?').run(JSON.stringify(config), r.id);
  }
  const after = (await server.api.results.table.query()).filter((c) => c.model === 'cvae');
  assert.deepEqual(after, []);
  for (const r of cvaeRuns) db.$client.prepare('update runs set config = ? where id = ?').run(r.config, r.id);
});
