// The live slice end to end, without a browser: launch over tRPC, a real worker process trains
// BrainCNN, points stream over socket.io and are stored, and results fill the comparison table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { TRPCClientError } from '@trpc/client';
import { startTestServer, waitForRun, TEST_WORKER_TOKEN, type TestServer } from '../helpers/server';
import type { ClassifierSummary, StoredMetricPoint } from '../../lib/contracts/events';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

test('a smoke BrainCNN run trains in a worker, streams its points live and fills the table', async () => {
  const browser = await server.browser();
  const live: StoredMetricPoint[] = [];
  const launched = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 3 });
  assert.equal(launched.status, 'queued');
  browser.emit('run:subscribe', { runId: launched.id });
  browser.on('run:metrics', (msg) => msg.runId === launched.id && live.push(...msg.points));

  const done = await waitForRun(browser, launched.id, (r) => r.status !== 'queued' && r.status !== 'running');
  assert.equal(done.status, 'succeeded', `run ended ${done.status}: ${done.error}`);
  assert.equal(done.backend, 'wasm');
  const summary = done.summary as ClassifierSummary;
  for (const m of [summary.accuracy, summary.precision, summary.recall, summary.f1]) assert.ok(m >= 0 && m <= 1);
  const { tp, fp, tn, fn } = summary.confusion;
  assert.equal(tp + fp + tn + fn, summary.testSize);
  assert.ok(summary.testSize > 0);

  // Everything stored is what was streamed (the late-joiner history has no gaps or extras).
  const stored = await server.api.runs.metrics.query({ id: launched.id });
  assert.ok(stored.some((p) => p.name === 'train/loss') && stored.some((p) => p.name === 'val/accuracy'));
  assert.ok(live.length > 0, 'no metric point arrived live');
  assert.deepEqual(new Set(live.map((p) => p.id)), new Set(stored.filter((p) => p.id <= Math.max(...live.map((q) => q.id))).map((p) => p.id)));

  const cells = await server.api.results.table.query();
  const accuracy = cells.find((c) => c.model === 'cnn' && c.trainData === 'real' && c.metric === 'accuracy');
  assert.ok(accuracy, 'the run added no accuracy cell');
  assert.ok(accuracy.runIds.includes(launched.id));
  assert.ok(Math.abs(accuracy.mean - summary.accuracy) < 1e-9);
});

test('a bad launch request is rejected with the field that is wrong, and nothing is queued', async () => {
  const before = (await server.api.runs.list.query()).length;
  await assert.rejects(
    server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 0, overrides: { epochs: -2 } }),
    (err: unknown) => err instanceof TRPCClientError && JSON.stringify(err.data).includes('epochs'),
  );
  await assert.rejects(server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', datasetId: 'no-such-dataset' }), /does not exist/);
  assert.equal((await server.api.runs.list.query()).length, before);
});

test('the worker namespace refuses a wrong token and ignores messages about runs it does not hold', async () => {
  const intruder = io(`${server.url}/workers`, { auth: { token: 'wrong-token-wrong-token' }, transports: ['websocket'], forceNew: true });
  const refusal = await new Promise<Error>((resolve) => intruder.once('connect_error', resolve));
  assert.match(refusal.message, /invalid worker token/);
  intruder.close();

  const runs = await server.api.runs.list.query();
  const finished = runs.find((r) => r.status === 'succeeded')!;
  const stranger = io(`${server.url}/workers`, { auth: { token: TEST_WORKER_TOKEN }, transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve) => stranger.once('connect', () => resolve()));
  stranger.emit('worker:hello', { workerId: 'stranger', pid: 1, host: 'test', backend: 'cpu' });
  const countBefore = (await server.api.runs.metrics.query({ id: finished.id })).length;
  stranger.emit('run:metrics', { runId: finished.id, points: [{ step: 1, epoch: 1, name: 'train/loss', value: 1 }] });
  stranger.emit('run:metrics', { runId: finished.id, points: [{ step: -1, epoch: 1, name: '', value: Number.NaN }] });
  const ack = await stranger.timeout(5000).emitWithAck('run:fail', { runId: finished.id, error: 'forged' });
  assert.equal(ack, false);
  assert.equal((await server.api.runs.metrics.query({ id: finished.id })).length, countBefore);
  assert.equal((await server.api.runs.get.query({ id: finished.id })).run.status, 'succeeded');
  stranger.close();
});
