// A run trained by another process on the same DATA_DIR (the command line) shows up live on the
// dashboard: its row changes, and a browser watching it receives its new points and log lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { startTestServer, waitForRun, type TestServer } from '../helpers/server';
import { SqliteRunQueue } from '../../server/queue/sqlite-queue';
import { appendLog, appendMetricPoints } from '../../db/queries/metrics';
import { runs } from '../../db/schema';
import { resolveRunConfig } from '../../lib/contracts/run-config';
import type { StoredMetricPoint } from '../../lib/contracts/events';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

test("another process's run streams to the dashboard's browsers", async () => {
  const { db, defaultDatasetId } = server.services;
  // What a command-line process does to the shared database (origin: its own, not "dashboard").
  const row = await new SqliteRunQueue(db).enqueue(resolveRunConfig({ model: 'cnn', preset: 'smoke' }, defaultDatasetId), `cli-${process.pid}`);
  const browser = await server.browser();
  const queued = await waitForRun(browser, row.id, (r) => r.status === 'queued', 10_000);
  assert.equal(queued.model, 'cnn');
  await new Promise<void>((resolve) => browser.emit('run:subscribe', { runId: row.id }, () => resolve()));
  db.update(runs).set({ status: 'running', startedAt: Date.now(), progress: 0.1 }).where(eq(runs.id, row.id)).run();
  await waitForRun(browser, row.id, (r) => r.status === 'running', 10_000);
  // The watcher starts relaying from what exists when it first sees the run running.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const points: StoredMetricPoint[] = [];
  const logs: string[] = [];
  browser.on('run:metrics', (m) => m.runId === row.id && points.push(...m.points));
  browser.on('run:log', (m) => m.runId === row.id && logs.push(m.message));
  appendMetricPoints(db, row.id, [{ step: 1, epoch: 0.5, name: 'train/loss', value: 0.69 }]);
  appendLog(db, row.id, 'info', 'epoch 1/2 from the command line');
  db.update(runs).set({ progress: 0.5 }).where(eq(runs.id, row.id)).run();
  const half = await waitForRun(browser, row.id, (r) => r.progress === 0.5, 10_000);
  assert.equal(half.status, 'running');
  const deadline = Date.now() + 6000;
  while ((points.length === 0 || logs.length === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(points.map((p) => [p.step, p.name, p.value]), [[1, 'train/loss', 0.69]]);
  assert.deepEqual(logs, ['epoch 1/2 from the command line']);
  db.update(runs).set({ status: 'failed', error: 'stopped from the command line', finishedAt: Date.now() }).where(eq(runs.id, row.id)).run();
  const failed = await waitForRun(browser, row.id, (r) => r.status === 'failed', 10_000);
  assert.equal(failed.error, 'stopped from the command line');
});

test('a run cancelled by another process stops its worker, which takes the next run', async () => {
  const { db } = server.services;
  const browser = await server.browser();
  const long = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 1, overrides: { epochs: 200, patience: 200 } });
  await waitForRun(browser, long.id, (r) => r.status === 'running', 60_000);
  const next = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 2 });
  // What "Cancel run" on another process's dashboard writes to the shared database.
  db.update(runs).set({ status: 'cancelled', error: 'cancelled by a user', finishedAt: Date.now() }).where(eq(runs.id, long.id)).run();
  const started = await waitForRun(browser, next.id, (r) => r.status === 'running', 30_000);
  assert.equal(started.status, 'running', 'the only worker left the cancelled run');
  const stored = await server.api.runs.get.query({ id: long.id });
  assert.equal(stored.run.status, 'cancelled');
});
