// Synthetic datasets end to end: generator runs keep per-epoch checkpoints; a synthesis run draws
// from them (by default the best on validation) into a new dataset version with lineage and a
// quality and privacy report; bad
// requests are refused with a reason and leave nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { startTestServer, waitForRun, type TestServer } from '../helpers/server';
import type { GeneratorSummary, RunView, SyntheticSummary } from '../../lib/contracts/events';
import { bestQualityEpoch } from '../../lib/contracts/epoch-quality';

let server: TestServer;
const generators: Record<string, RunView> = {};
before(async () => {
  server = await startTestServer();
  const browser = await server.browser();
  for (const [model, imageClass] of [['vae', 'healthy'], ['gan', 'tumor']] as const) {
    const launched = await server.api.runs.launch.mutate({ model, preset: 'smoke', seed: 3, imageClass, overrides: { epochs: 2 } });
    generators[model] = await waitForRun(browser, launched.id, (r) => r.status === 'succeeded' || r.status === 'failed');
    assert.equal(generators[model].status, 'succeeded', generators[model].error ?? '');
  }
});
after(async () => {
  await server.stop();
});

const finished = (r: RunView) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'cancelled';

test('generator runs keep a checkpoint per epoch', () => {
  for (const run of Object.values(generators)) {
    const summary = run.summary as GeneratorSummary;
    assert.deepEqual(summary.checkpoints, [1, 2]);
    for (const epoch of [1, 2]) {
      const dir = path.join(server.dataDir, 'artifacts', run.id, 'checkpoints', `epoch-000${epoch}`);
      assert.ok(fs.statSync(path.join(dir, 'weights.bin')).size > 1000, `no weights for epoch ${epoch}`);
    }
  }
});

test('bad synthesis requests are refused with a reason', async () => {
  const reject = async (input: Parameters<typeof server.api.datasets.synthesize.mutate>[0], pattern: RegExp) => {
    await assert.rejects(server.api.datasets.synthesize.mutate(input), (err: Error) => pattern.test(err.message), `expected ${pattern}`);
  };
  await reject({ generators: [{ runId: 'r-missing' }] }, /No run with id r-missing/);
  await reject({ generators: [{ runId: generators.vae.id }, { runId: generators.vae.id }] }, /at most one generator per class/);
  await reject({ generators: [{ runId: generators.gan.id, epoch: 7 }] }, /no checkpoint for epoch 7; kept epochs: 1, 2/);
  await reject({ generators: [{ runId: generators.gan.id }], perClass: 3 }, /too_small|>=8|8/);
  const datasets = await server.api.datasets.list.query();
  assert.equal(datasets.filter((d) => d.kind === 'synthetic').length, 0);
});

test('a synthesis run makes a dataset with lineage and a quality and privacy report', async () => {
  const browser = await server.browser();
  // The VAE's default: the best of both (measured) epochs by the rule (unit-tested in checkpoint.test.ts).
  const vaeCheckpoints = await server.api.datasets.generatorCheckpoints.query({ runId: generators.vae.id });
  assert.deepEqual(vaeCheckpoints.curve.map((q) => q.epoch), [1, 2]);
  const bestVae = bestQualityEpoch(vaeCheckpoints.curve, vaeCheckpoints.kept)!;
  assert.equal(vaeCheckpoints.default?.epoch, bestVae.epoch);
  const launched = await server.api.datasets.synthesize.mutate({ generators: [{ runId: generators.vae.id }, { runId: generators.gan.id, epoch: 1 }], perClass: 40, seed: 5 });
  assert.equal(launched.model, 'synth');
  const run = await waitForRun(browser, launched.id, finished, 180_000);
  assert.equal(run.status, 'succeeded', run.error ?? '');
  const summary = run.summary as SyntheticSummary;
  assert.equal(summary.kind, 'synthetic');
  assert.ok(summary.datasetId);

  const dataset = await server.api.datasets.get.query({ id: summary.datasetId! });
  assert.equal(dataset.kind, 'synthetic');
  assert.equal(dataset.count, 80);
  assert.deepEqual({ tumor: dataset.classCounts.tumor, healthy: dataset.classCounts.healthy }, { tumor: 40, healthy: 40 });
  assert.deepEqual(dataset.splitSizes, { train: 80, val: 0, test: 0 }, 'synthetic images only ever train');
  const lineage = dataset.lineage as { synthesisRun: string; seed: number; generators: { runId: string; epoch: number; imageClass: string; reason?: string }[] };
  assert.equal(lineage.synthesisRun, run.id);
  assert.equal(lineage.seed, 5);
  assert.deepEqual(lineage.generators.map((g) => [g.runId, g.epoch, g.imageClass]), [[generators.vae.id, bestVae.epoch, 'healthy'], [generators.gan.id, 1, 'tumor']]);
  const fidelity = bestVae.classFidelity!;
  assert.equal(lineage.generators[0].reason, `best FID on validation, epoch ${bestVae.epoch}: FID ${bestVae.fid.toFixed(1)}, class fidelity ${Math.round(fidelity.synthetic * 100)}% (real ${Math.round(fidelity.realVal * 100)}%)`);
  assert.ok((await server.api.runs.get.query({ id: run.id })).logs.some((l) => l.message.includes(`epoch ${bestVae.epoch} (best FID on validation, epoch ${bestVae.epoch}: FID`)), 'the log says which epoch and why');

  const quality = dataset.report!;
  assert.equal(dataset.quality?.fid, quality.headline.fid);
  assert.equal(quality.encoder.kind, 'braincnn-pooled-conv');
  assert.equal(quality.classes.length, 2);
  for (const c of quality.classes) {
    for (const value of [c.fid, c.fidRealBaseline, c.kid.mean, c.precision, c.recall, c.msSsim.synthetic, c.memorization.memorizationRatio]) assert.ok(Number.isFinite(value), JSON.stringify(c));
    assert.ok(c.fid > c.fidRealBaseline, `a barely trained ${c.imageClass} generator is further from the real images than held-out real images (${c.fid} vs ${c.fidRealBaseline})`);
    assert.equal(c.memorization.closest.length, 8);
  }
  const png = await server.fetch(`/api/datasets/${dataset.id}/closest-tumor.png`);
  assert.equal(png.status, 200);
  const meta = await sharp(Buffer.from(await png.arrayBuffer())).metadata();
  assert.equal(meta.width, 4 * 32, 'two synthetic/real pairs per row');
  assert.deepEqual(fs.readdirSync(path.join(server.dataDir, 'tmp')).filter((n) => n.startsWith('synth-')), [], 'no staging folder left');

  // Same generators, checkpoints and seed: the same images, so the same dataset version.
  const again = await server.api.datasets.synthesize.mutate({ generators: [{ runId: generators.vae.id }, { runId: generators.gan.id, epoch: 1 }], perClass: 40, seed: 5 });
  const second = await waitForRun(browser, again.id, finished, 180_000);
  assert.equal(second.status, 'succeeded', second.error ?? '');
  assert.equal((second.summary as SyntheticSummary).datasetId, summary.datasetId);
});
