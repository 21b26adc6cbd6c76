// Interrupted runs resume instead of failing: a worker killed with SIGKILL mid-run leaves its run
// queued again, and the next worker takes it up after its last saved epoch, so the run finishes
// with one continuous curve (every step once), a generator's quality curve included; a run lost more often than RUN_ATTEMPTS allows
// fails with the reason of each attempt; a worker that stops reporting loses its claim when its
// lease runs out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { io } from 'socket.io-client';
import { startTestServer, waitForRun, TEST_WORKER_TOKEN, type TestServer } from '../helpers/server';
import { jobSchema, type RunView, type StoredMetricPoint } from '../../lib/contracts/events';

let server: TestServer;
before(async () => {
  server = await startTestServer({ RUN_ATTEMPTS: 3 });
});
after(async () => {
  await server.stop();
});

/** Waits until a local worker other than `not` runs, and returns its pid. */
async function nextWorkerPid(s: TestServer, not: number[] = [], timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const pid = s.services.scheduler.localWorkerPids().find((p) => p > 0 && !not.includes(p));
    if (pid) return pid;
    if (Date.now() > until) throw new Error('no new worker started');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ended = (r: RunView) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'cancelled';

test('a worker killed with SIGKILL mid-run: the run resumes after its last saved epoch on a new worker and finishes with one continuous curve', async () => {
  const browser = await server.browser();
  const epochs = 30;
  const launched = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 4, overrides: { epochs, patience: epochs } });
  const rewound: number[] = [];
  browser.on('run:rewound', (msg) => msg.runId === launched.id && rewound.push(msg.step));
  await new Promise((resolve) => browser.emit('run:subscribe', { runId: launched.id }, resolve));
  await waitForRun(browser, launched.id, (r) => r.status === 'running' && r.progress > 0.25);
  const first = await nextWorkerPid(server);
  process.kill(first, 'SIGKILL');

  const done = await waitForRun(browser, launched.id, ended, 180_000);
  assert.equal(done.status, 'succeeded', `run ended ${done.status}: ${done.error}`);
  assert.equal(done.attempts, 2);
  assert.equal(done.attemptErrors.length, 1);
  assert.match(done.attemptErrors[0], /SIGKILL/);

  const { logs } = await server.api.runs.get.query({ id: launched.id });
  const resumed = logs.map((l) => /resumes after epoch (\d+) \(step (\d+)\)/.exec(l.message)).find(Boolean);
  assert.ok(resumed, `no resume line in the log:\n${logs.map((l) => l.message).join('\n')}`);
  const [epoch, step] = [Number(resumed[1]), Number(resumed[2])];
  assert.ok(epoch >= 1 && epoch < epochs, `resumed after epoch ${epoch}`);
  assert.ok(logs.some((l) => l.message.includes(`resumed after epoch ${epoch} (step ${step}): weights, optimiser state and data order restored`)), 'the worker loaded the saved state');
  assert.deepEqual(rewound, [step], 'viewers were told to drop what came after the saved epoch');

  // One continuous curve: every training step once, every epoch's validation once.
  const points: StoredMetricPoint[] = await server.api.runs.metrics.query({ id: launched.id });
  const trainSteps = points.filter((p) => p.name === 'train/loss').map((p) => p.step);
  const last = Math.max(...trainSteps);
  assert.equal(last % epochs, 0);
  assert.deepEqual(trainSteps, Array.from({ length: last }, (_, i) => i + 1));
  const valEpochs = points.filter((p) => p.name === 'val/accuracy').map((p) => p.epoch);
  assert.deepEqual(valEpochs, Array.from({ length: epochs }, (_, i) => i + 1));
  // The saved state goes once the run has ended; its results are in the table.
  assert.equal(fs.existsSync(path.join(server.dataDir, 'artifacts', launched.id, 'resume')), false);
  const cells = await server.api.results.table.query();
  assert.ok(cells.some((c) => c.runIds.includes(launched.id)));
});

test('a generator killed mid-run resumes with its quality curve: one measure per epoch, and the last checkpoint holds them all', async () => {
  const browser = await server.browser();
  const epochs = 24;
  const launched = await server.api.runs.launch.mutate({ model: 'gan', preset: 'smoke', seed: 6, imageClass: 'healthy', overrides: { epochs, qualityEvery: 1 } });
  await new Promise((resolve) => browser.emit('run:subscribe', { runId: launched.id }, resolve));
  await waitForRun(browser, launched.id, (r) => r.status === 'running' && r.progress > 0.3);
  process.kill(await nextWorkerPid(server), 'SIGKILL');
  const done = await waitForRun(browser, launched.id, ended, 180_000);
  assert.equal(done.status, 'succeeded', `run ended ${done.status}: ${done.error}`);
  assert.equal(done.attempts, 2);
  const points: StoredMetricPoint[] = await server.api.runs.metrics.query({ id: launched.id });
  const fids = points.filter((p) => p.name === 'quality/fid');
  assert.deepEqual(fids.map((p) => p.epoch), Array.from({ length: epochs }, (_, i) => i + 1));
  const meta = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'artifacts', launched.id, 'checkpoints', `epoch-00${epochs}`, 'meta.json'), 'utf8'));
  assert.deepEqual(meta.qualityHistory.map((q: { epoch: number; fid: number }) => [q.epoch, q.fid]), fids.map((p) => [p.epoch, p.value]), 'the resumed run carried the measures taken before the kill');
  const { curve, default: choice } = await server.api.datasets.generatorCheckpoints.query({ runId: launched.id });
  assert.equal(curve.length, epochs);
  const lowest = Math.min(...fids.map((p) => p.value));
  assert.equal(choice?.fid, lowest);
  assert.ok(fs.existsSync(path.join(server.dataDir, 'artifacts', launched.id, 'checkpoints', `epoch-${String(choice!.epoch).padStart(4, '0')}`)), 'the best checkpoint is kept');
});

test('a run lost on every attempt fails after RUN_ATTEMPTS with the reason of each', async () => {
  const s = await startTestServer({ RUN_ATTEMPTS: 2 });
  try {
    const browser = await s.browser();
    const launched = await s.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 5, overrides: { epochs: 60, patience: 60 } });
    await waitForRun(browser, launched.id, (r) => r.status === 'running' && r.progress > 0.05);
    const first = await nextWorkerPid(s);
    process.kill(first, 'SIGKILL');
    await waitForRun(browser, launched.id, (r) => r.status === 'running' && r.attempts === 2 && r.progress > 0.1, 60_000);
    process.kill(await nextWorkerPid(s, [first]), 'SIGKILL');
    const failed = await waitForRun(browser, launched.id, ended, 30_000);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /^Failed after 2 attempts: \(1\) worker \S+ \(process \d+\) was killed by SIGKILL while training this run \(2\) worker \S+ \(process \d+\) was killed by SIGKILL while training this run$/);
    assert.equal(fs.existsSync(path.join(s.dataDir, 'artifacts', launched.id, 'resume')), false, 'a failed run keeps no resume state');
    assert.equal((await fetch(`${s.url}/api/health`)).status, 200);
  } finally {
    await s.stop();
  }
});

test('a worker that stops reporting loses its claim when the lease runs out; the run is queued again', async () => {
  const s = await startTestServer({ MAX_WORKERS: 0, RUN_LEASE_SECONDS: 5 });
  const worker = io(`${s.url}/workers`, { auth: { token: TEST_WORKER_TOKEN }, transports: ['websocket'], forceNew: true });
  try {
    await new Promise<void>((resolve) => worker.once('connect', () => resolve()));
    worker.emit('worker:hello', { workerId: 'silent-worker', pid: 1, host: 'test', backend: 'cpu' });
    const browser = await s.browser();
    const launched = await s.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 6 });
    const job = jobSchema.parse(await worker.timeout(10_000).emitWithAck('job:claim'));
    assert.equal(job.runId, launched.id);
    assert.equal(job.resume, null);
    const started = Date.now();
    const requeued = await waitForRun(browser, launched.id, (r) => r.status === 'queued', 30_000);
    assert.ok(Date.now() - started >= 4000, 'not before the lease ran out');
    assert.equal(requeued.attempts, 1);
    assert.match(requeued.attemptErrors[0], /worker silent-worker sent nothing until its lease ran out/);
    // Taken again, it starts over (no epoch was saved) as attempt 2.
    const again = jobSchema.parse(await worker.timeout(10_000).emitWithAck('job:claim'));
    assert.equal(again.runId, launched.id);
    assert.equal(again.resume, null);
    const { run, logs } = await s.api.runs.get.query({ id: launched.id });
    assert.equal(run.attempts, 2);
    assert.ok(logs.some((l) => /attempt 2 of 3 on worker silent-worker: the run starts over/.test(l.message)));
  } finally {
    worker.close();
    await s.stop();
  }
});
