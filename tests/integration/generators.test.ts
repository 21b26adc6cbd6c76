// Generator runs end to end: a VAE and a GAN each learn one class in a worker process, stream
// their losses and sample grids live, and the grids are stored and served as PNG; their quality on
// validation streams every epoch and picks the checkpoint synthesis uses by default.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { startTestServer, waitForRun, type TestServer } from '../helpers/server';
import type { GeneratorSummary, RunImageView, StoredMetricPoint } from '../../lib/contracts/events';
import type { SynthConfig } from '../../lib/contracts/run-config';
import { planSynthesis } from '../../server/datasets/synthesize';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

for (const [model, names] of [['vae', ['vae/reconstruction', 'vae/kl', 'vae/total']], ['gan', ['gan/d_loss', 'gan/g_loss', 'gan/d_real', 'gan/d_fake']]] as const) {
  test(`a smoke ${model.toUpperCase()} run streams its losses and sample grids`, async () => {
    const browser = await server.browser();
    const points: StoredMetricPoint[] = [];
    const images: RunImageView[] = [];
    const launched = await server.api.runs.launch.mutate({ model, preset: 'smoke', seed: 2, imageClass: 'healthy' });
    browser.emit('run:subscribe', { runId: launched.id });
    browser.on('run:metrics', (msg) => msg.runId === launched.id && points.push(...msg.points));
    browser.on('run:image', (msg) => msg.runId === launched.id && images.push(msg.image));
    const done = await waitForRun(browser, launched.id, (r) => r.status === 'succeeded' || r.status === 'failed');
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal(done.imageClass, 'healthy');
    const summary = done.summary as GeneratorSummary;
    assert.equal(summary.kind, 'generator');
    for (const name of names) {
      assert.ok(points.some((p) => p.name === name), `no ${name} point streamed`);
      assert.ok(Number.isFinite(summary.losses[name.split('/')[1]]), `no final ${name}`);
    }
    // The stored run agrees with what was streamed: a grid before training, then every 2 steps
    // (the smoke preset's sampleEvery), and the grid of real images.
    const stored = await server.api.runs.get.query({ id: launched.id });
    const expected = Array.from({ length: Math.floor(summary.steps / 2) + 1 }, (_, i) => 2 * i);
    assert.ok(summary.steps >= 2);
    assert.deepEqual(stored.images.filter((i) => i.kind === 'samples').map((i) => i.step), expected);
    assert.equal(stored.images.filter((i) => i.kind === 'real').length, 1);
    assert.equal(images.length, stored.images.length, 'every stored image also arrived live');
    const response = await server.fetch(stored.images.at(-1)!.url);
    assert.equal(response.headers.get('content-type'), 'image/png');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    assert.deepEqual([meta.width, meta.height], [4 * 32, 4 * 32], 'a 4x4 grid of 32-pixel samples');
  });
}

test('a generator measures its quality and class fidelity on validation every epoch, and synthesis defaults to the best by the rule', async () => {
  const browser = await server.browser();
  const points: StoredMetricPoint[] = [];
  const launched = await server.api.runs.launch.mutate({ model: 'gan', preset: 'smoke', seed: 5, imageClass: 'tumor', overrides: { epochs: 3, qualityEvery: 1 } });
  browser.emit('run:subscribe', { runId: launched.id });
  browser.on('run:metrics', (msg) => msg.runId === launched.id && points.push(...msg.points));
  const done = await waitForRun(browser, launched.id, (r) => r.status === 'succeeded' || r.status === 'failed');
  assert.equal(done.status, 'succeeded', done.error ?? '');
  const summary = done.summary as GeneratorSummary;
  const perEpoch = summary.steps / 3;
  // One point per quality measure per epoch, at the epoch's last step.
  for (const name of ['quality/fid', 'quality/kid', 'quality/precision', 'quality/recall', 'quality/class_fidelity', 'quality/class_fidelity_real']) {
    assert.deepEqual(points.filter((p) => p.name === name).map((p) => [p.epoch, p.step]), [1, 2, 3].map((e) => [e, e * perEpoch]), `${name} at every epoch`);
  }
  const fids = points.filter((p) => p.name === 'quality/fid').map((p) => p.value);
  assert.ok(fids.every((v) => Number.isFinite(v) && v >= 0));
  const stored = await server.api.runs.get.query({ id: launched.id });
  assert.equal(stored.logs.filter((l) => /^quality at epoch \d: 64 samples against \d+ real validation tumor images: FID/.test(l.message)).length, 3);

  // The checkpoints carry the curve; the form's query and the default follow the rule.
  const checkpoints = await server.api.datasets.generatorCheckpoints.query({ runId: launched.id });
  assert.deepEqual(checkpoints.curve.map((q) => q.fid), fids);
  assert.deepEqual(checkpoints.curve.map((q) => q.classFidelity?.synthetic), points.filter((p) => p.name === 'quality/class_fidelity').map((p) => p.value));
  // The rule on the measured curve: lowest FID among the epochs called their class within 15
  // points of the real images' share (all of them if none is), ties to the later epoch.
  const faithful = checkpoints.curve.filter((q) => q.classFidelity!.synthetic >= q.classFidelity!.realVal - 0.15);
  const pool = (faithful.length ? faithful : checkpoints.curve).map((q) => q.fid);
  assert.equal(checkpoints.default?.epoch, fids.lastIndexOf(Math.min(...pool)) + 1);
  assert.equal(checkpoints.default?.by, 'best-fid');

  // Meta rewritten so that the best is neither the latest nor the first: epoch 2.
  const root = path.join(server.dataDir, 'artifacts', launched.id, 'checkpoints');
  const given = [40, 12.5, 30];
  const rewrite = (fidelity: number[]) => {
    const history = checkpoints.curve.map((q, i) => ({ ...q, fid: given[i], classFidelity: { synthetic: fidelity[i], realVal: 0.9 } }));
    for (const epoch of [1, 2, 3]) {
      const file = path.join(root, `epoch-000${epoch}`, 'meta.json');
      const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
      fs.writeFileSync(file, JSON.stringify({ ...meta, quality: history[epoch - 1], qualityHistory: history.slice(0, epoch) }));
    }
  };
  // Epoch 2's sample is called a tumour far less often than real tumours: epoch 3 is the default.
  rewrite([0.9, 0.5, 0.8]);
  assert.equal(planSynthesis(server.services.db, server.dataDir, { generators: [{ runId: launched.id }] }).generators[0].reason, 'best FID on validation, epoch 3: FID 30.0, class fidelity 80% (real 90%)');
  rewrite([0.9, 0.85, 0.8]);
  const plan = planSynthesis(server.services.db, server.dataDir, { generators: [{ runId: launched.id }] });
  assert.equal(plan.generators[0].epoch, 2);
  assert.equal(plan.generators[0].reason, 'best FID on validation, epoch 2: FID 12.5, class fidelity 85% (real 90%)');
  const synth = await server.api.datasets.synthesize.mutate({ generators: [{ runId: launched.id }], perClass: 8 });
  const config = (await server.api.runs.get.query({ id: synth.id })).config as SynthConfig;
  assert.equal(config.generators[0].epoch, 2);
  await server.api.runs.cancel.mutate({ id: synth.id });
  // A chosen epoch still wins; a run without measures falls back to the latest.
  assert.equal(planSynthesis(server.services.db, server.dataDir, { generators: [{ runId: launched.id, epoch: 3 }] }).generators[0].reason, 'chosen by the user, epoch 3: FID 30.0, class fidelity 80% (real 90%)');
  for (const epoch of [1, 2, 3]) {
    const file = path.join(root, `epoch-000${epoch}`, 'meta.json');
    const { quality: _q, qualityHistory: _h, ...old } = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify(old));
  }
  const legacy = planSynthesis(server.services.db, server.dataDir, { generators: [{ runId: launched.id }] }).generators[0];
  assert.deepEqual([legacy.epoch, legacy.reason], [3, 'latest checkpoint, epoch 3 (no quality measured during training)']);
});
