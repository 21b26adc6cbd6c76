// The Workers view against a real server with one local worker (MAX_WORKERS 1): the list shows
// the worker with the capabilities it reported and the run it trains; a drained worker leaves a
// queued run queued until it is resumed; removing a worker that holds a run sends the run back to
// the queue saying who removed it; unknown ids and viewers are refused with a clear error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, waitForRun, type BrowserSocket, type Person, type TestServer } from '../helpers/server';
import type { WorkerView } from '../../lib/contracts/workers';

let server: TestServer;
let viewer: Person;
let browser: BrowserSocket;

before(async () => {
  server = await startTestServer({ MAX_WORKERS: 1 });
  viewer = await server.signInAs('viewer');
  browser = await server.browser();
});
after(async () => {
  await server?.stop();
});

const refused = (pattern: RegExp, code: string) => (err: Error & { data?: { code?: string } }) => {
  assert.match(err.message, pattern);
  assert.equal(err.data?.code, code, err.message);
  return true;
};
/** A smoke BrainCNN that trains long enough to be watched (and cancelled). */
const launchLong = (seed: number) => server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed, overrides: { epochs: 200, patience: 200 } });
const connectedWorker = async (): Promise<WorkerView> => {
  const listed = (await server.api.workers.list.query()).filter((w) => w.connected);
  assert.equal(listed.length, 1, `one connected worker, got ${JSON.stringify(listed)}`);
  return listed[0];
};
const nextUpdate = () => new Promise<void>((resolve) => browser.once('workers:updated', () => resolve()));

test("the list shows the server's local worker, its capabilities and the run it trains", async () => {
  const run = await launchLong(1);
  const running = await waitForRun(browser, run.id, (r) => r.status === 'running' && r.progress > 0);
  const worker = await connectedWorker();
  assert.equal(worker.id, running.workerId);
  assert.equal(worker.kind, 'local');
  assert.equal(worker.backend, running.backend);
  assert.match(worker.device ?? '', /^cpu: /);
  assert.equal(worker.gpu, false);
  assert.ok(worker.memoryMb && worker.memoryMb > 256, `memoryMb ${worker.memoryMb}`);
  assert.ok(worker.threads && worker.threads >= 1);
  assert.equal(worker.concurrency, 1);
  assert.equal(worker.drained, false);
  assert.equal(worker.runs.length, 1);
  assert.deepEqual({ ...worker.runs[0], progress: undefined }, { id: run.id, model: 'cnn', preset: 'smoke', progress: undefined });
  assert.ok(worker.runs[0].progress > 0);
  // Viewers read the list too.
  assert.deepEqual((await viewer.api.workers.list.query()).map((w) => w.id), [worker.id]);
  await server.api.runs.cancel.mutate({ id: run.id });
  await waitForRun(browser, run.id, (r) => r.status === 'cancelled');
});

test('a drained worker takes no new run until it is resumed', async () => {
  const worker = await connectedWorker();
  const announced = nextUpdate();
  assert.deepEqual(await server.api.workers.drain.mutate({ workerId: worker.id, drained: true }), { workerId: worker.id, drained: true, connected: true });
  await announced;
  assert.equal((await connectedWorker()).drained, true);

  const queued = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 2 });
  await new Promise((r) => setTimeout(r, 4000));
  const waiting = await server.api.runs.get.query({ id: queued.id });
  assert.equal(waiting.run.status, 'queued', 'the only worker is drained: the run waits');
  assert.equal((await connectedWorker()).id, worker.id, 'no other worker was started (MAX_WORKERS 1)');

  await server.api.workers.drain.mutate({ workerId: worker.id, drained: false });
  const done = await waitForRun(browser, queued.id, (r) => r.status === 'succeeded' || r.status === 'failed');
  assert.equal(done.status, 'succeeded', done.error ?? '');
  assert.equal(done.workerId, worker.id);
});

test('removing a worker sends its run back to the queue, saying who removed it', async () => {
  const run = await launchLong(3);
  const running = await waitForRun(browser, run.id, (r) => r.status === 'running' && r.progress > 0);
  const removedId = running.workerId!;
  const announced = nextUpdate();
  await server.api.workers.remove.mutate({ workerId: removedId });
  await announced;
  const resumed = await waitForRun(browser, run.id, (r) => r.attemptErrors.length === 1);
  assert.match(resumed.attemptErrors[0], new RegExp(`worker ${removedId} was removed by Ada Admin while training this run`));
  assert.ok(server.logs.some((l) => l === `worker ${removedId} removed by Ada Admin`), server.logs.join('\n'));
  assert.ok(!(await server.api.workers.list.query()).some((w) => w.id === removedId), 'its row is deleted');
  // The server starts a fresh local worker for the queued run.
  const again = await waitForRun(browser, run.id, (r) => r.status === 'running' && r.workerId !== removedId);
  assert.notEqual(again.workerId, removedId);
  await server.api.runs.cancel.mutate({ id: run.id });
  await waitForRun(browser, run.id, (r) => r.status === 'cancelled');
});

test('unknown workers and viewers are refused with a clear error', async () => {
  await assert.rejects(server.api.workers.remove.mutate({ workerId: 'w-nobody' }), refused(/No worker has the id "w-nobody"/, 'NOT_FOUND'));
  await assert.rejects(server.api.workers.drain.mutate({ workerId: 'w-nobody', drained: true }), refused(/No worker has the id/, 'NOT_FOUND'));
  const [worker] = await server.api.workers.list.query();
  await assert.rejects(viewer.api.workers.drain.mutate({ workerId: worker.id, drained: true }), refused(/needs the admin role; you are a viewer/, 'FORBIDDEN'));
  await assert.rejects(viewer.api.workers.remove.mutate({ workerId: worker.id }), refused(/needs the admin role/, 'FORBIDDEN'));
  await assert.rejects(server.api.workers.drain.mutate({ workerId: '', drained: true }), refused(/workerId/, 'BAD_REQUEST'));
});

test('with room for another worker, a drained idle worker does not hold up the queue: a fresh one starts', async () => {
  // Workers that never idle out: the drained one cannot make room by leaving.
  const idleMs = process.env.WORKER_IDLE_MS;
  process.env.WORKER_IDLE_MS = '600000';
  const roomy = await startTestServer({ MAX_WORKERS: 2 });
  try {
    const watch = await roomy.browser();
    const first = await roomy.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 5, overrides: { epochs: 200, patience: 200 } });
    const drainedId = (await waitForRun(watch, first.id, (r) => r.status === 'running')).workerId!;
    await roomy.api.workers.drain.mutate({ workerId: drainedId, drained: true });
    await roomy.api.runs.cancel.mutate({ id: first.id });
    await waitForRun(watch, first.id, (r) => r.status === 'cancelled');
    const next = await roomy.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 6 });
    const done = await waitForRun(watch, next.id, (r) => r.status === 'succeeded' || r.status === 'failed');
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.notEqual(done.workerId, drainedId);
    const listed = await roomy.api.workers.list.query();
    assert.equal(listed.find((w) => w.id === drainedId)?.drained, true, 'the drained worker is still listed as drained');
  } finally {
    await roomy.stop();
    if (idleMs === undefined) delete process.env.WORKER_IDLE_MS;
    else process.env.WORKER_IDLE_MS = idleMs;
  }
});
