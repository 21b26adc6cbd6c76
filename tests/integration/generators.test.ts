// Generator runs end to end: a VAE and a GAN each learn one class in a worker process, stream
// their losses and sample grids live, and the grids are stored and served as PNG.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startTestServer, waitForRun, type TestServer } from '../helpers/server';
import type { GeneratorSummary, RunImageView, StoredMetricPoint } from '../../lib/contracts/events';

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
