// Faults stay with the request or run they belong to: a full disk while a run's image is written
// fails that run ("disk full: …"), a missing file answers 404, a socket handler that throws is
// logged and answered, and in each case the server answers the next request.
import { test, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, waitForRun, type TestServer } from '../helpers/server';
import { insertRunImage } from '../../db/queries/metrics';
import { getDataset } from '../../db/queries/datasets';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  mock.restoreAll();
  await server.stop();
});

const stillServing = async () => assert.ok(Array.isArray(await server.api.runs.list.query()));

test('a full disk while a run image is written fails that run with "disk full" and the server goes on', async () => {
  const browser = await server.browser();
  const launched = await server.api.runs.launch.mutate({ model: 'vae', preset: 'smoke', seed: 5, imageClass: 'tumor' });
  // The server runs in this process: its image writes for this run meet a full disk.
  const write = fs.writeFileSync;
  mock.method(fs, 'writeFileSync', (file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (String(file).includes(path.join('artifacts', launched.id))) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return (write as (...args: unknown[]) => void)(file, ...rest);
  });
  const done = await waitForRun(browser, launched.id, (r) => r.status !== 'queued' && r.status !== 'running');
  mock.restoreAll();
  assert.equal(done.status, 'failed');
  assert.match(done.error ?? '', /^disk full: /);
  await stillServing();
  // The next run, with space again, trains and stores its images.
  const next = await server.api.runs.launch.mutate({ model: 'vae', preset: 'smoke', seed: 6, imageClass: 'tumor' });
  const ok = await waitForRun(browser, next.id, (r) => r.status !== 'queued' && r.status !== 'running');
  assert.equal(ok.status, 'succeeded', ok.error ?? '');
});

test('a missing run image or dataset file answers 404 with a short message, and the server stays up', async () => {
  const [run] = await server.api.runs.list.query();
  const image = insertRunImage(server.services.db, run.id, 1, 'samples', path.join('artifacts', run.id, 'gone.png'));
  const res = await server.fetch(`/api/runs/${run.id}/images/${image.id}.png`);
  assert.equal(res.status, 404);
  assert.match((await res.json()).error, /missing on the server/);

  const dataset = getDataset(server.services.db, server.services.defaultDatasetId);
  assert.ok(dataset);
  const tensor = path.join(server.dataDir, dataset.dir, 'images.u8');
  fs.renameSync(tensor, `${tensor}.away`);
  try {
    const missing = await server.fetch(`/api/datasets/${dataset.id}/image/0.png`);
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error, /missing on the server/);
  } finally {
    fs.renameSync(`${tensor}.away`, tensor);
  }
  assert.equal((await server.fetch(`/api/datasets/${dataset.id}/image/0.png`)).status, 200);
  await stillServing();
});

test('a socket handler that throws is logged and answered, and the server stays up', async () => {
  const browser = await server.browser();
  const presence = server.services.hub.presence;
  mock.method(presence, 'list', () => {
    throw new Error('presence list exploded');
  });
  const answer = await browser.timeout(5000).emitWithAck('presence:list');
  mock.restoreAll();
  assert.deepEqual(answer, []);
  assert.ok(server.logs.some((l) => l.includes('[socket] presence:list handler failed') && l.includes('presence list exploded')));
  assert.ok(browser.connected);
  assert.ok(Array.isArray(await browser.timeout(5000).emitWithAck('presence:list')));
  await stillServing();
});
