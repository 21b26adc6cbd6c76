// A full disk while a metric batch is stored in SQLite (SQLITE_FULL, provoked by capping the
// server connection's database size with PRAGMA max_page_count): that run fails with "disk
// full", its worker is told to stop, the server answers the next request, and the database is
// whole with everything stored before it intact.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, waitForRun, TEST_WORKER_TOKEN, type TestServer } from '../helpers/server';
import { connectAndClaim, stampedPoints } from '../../server/loadtest/load-worker';
import { listMetricPoints } from '../../db/queries/metrics';

let server: TestServer;
before(async () => {
  server = await startTestServer({ MAX_WORKERS: 0, DEMO_PER_CLASS: 10 });
});
after(async () => {
  await server.stop();
});

test('SQLITE_FULL on a metric batch fails that run with "disk full"; the server and the database stay whole', async () => {
  const sqlite = server.services.db.$client;
  const browser = await server.browser();
  const other = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 1 });
  const launched = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 2 });
  // The synthetic worker claims the oldest queued run first: `other` stays with a stored batch.
  const first = await connectAndClaim(server.url, TEST_WORKER_TOKEN, 'w-disk-1');
  assert.equal(first.job.runId, other.id);
  const worker = await connectAndClaim(server.url, TEST_WORKER_TOKEN, 'w-disk-2');
  assert.equal(worker.job.runId, launched.id);
  const stored = (runId: string) => listMetricPoints(server.services.db, runId).length;
  const waitStored = async (runId: string, n: number) => {
    for (let i = 0; i < 100 && stored(runId) < n; i++) await new Promise((r) => setTimeout(r, 50));
  };
  first.socket.emit('run:metrics', { runId: other.id, points: stampedPoints(0, 100) });
  worker.socket.emit('run:metrics', { runId: launched.id, points: stampedPoints(0, 100) });
  await waitStored(other.id, 100);
  await waitStored(launched.id, 100);
  const before = { otherPoints: listMetricPoints(server.services.db, other.id), runs: await server.api.runs.list.query() };

  // The database may not grow past its current pages: the next big batch meets a full disk.
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  const cancelled = new Promise<string>((resolve) => worker.socket.once('run:cancel', ({ runId }) => resolve(runId)));
  const failed = waitForRun(browser, launched.id, (r) => r.status === 'failed', 20_000);
  sqlite.pragma(`max_page_count = ${pages}`);
  try {
    worker.socket.emit('run:metrics', { runId: launched.id, points: stampedPoints(100, 5000) });
    const done = await failed;
    assert.match(done.error ?? '', /^disk full: a batch of 5000 metric points could not be stored/);
    assert.equal(await cancelled, launched.id, 'its worker is told to stop');
  } finally {
    sqlite.pragma('max_page_count = 4294967294');
  }
  assert.ok(server.logs.some((l) => l.includes(`run ${launched.id}: disk full`)));

  // The server answers the next request, the database is whole, and what was stored stays.
  const runs = await server.api.runs.list.query();
  assert.equal(runs.length, before.runs.length);
  assert.equal(runs.find((r) => r.id === other.id)?.status, 'running');
  assert.equal(sqlite.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal(stored(launched.id), 100, 'the failed batch left nothing half-stored');
  assert.deepEqual(listMetricPoints(server.services.db, other.id), before.otherPoints);
  // The other run goes on streaming.
  first.socket.emit('run:metrics', { runId: other.id, points: stampedPoints(100, 50) });
  await waitStored(other.id, 150);
  assert.equal(stored(other.id), 150);
  first.socket.close();
  worker.socket.close();
});
