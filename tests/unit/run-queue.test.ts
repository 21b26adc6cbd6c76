// The SQLite run queue on a temporary DATA_DIR: claim order, a run handed out once, leases, the
// states each change is allowed from, requeue, and the reads the scheduler uses.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../../db/client';
import { insertDataset } from '../../db/queries/datasets';
import { resolveRunConfig } from '../../lib/contracts/run-config';
import type { ClassifierSummary } from '../../lib/contracts/events';
import { SqliteRunQueue } from '../../server/queue/sqlite-queue';

let dataDir: string;
let db: Db;
let queue: SqliteRunQueue;
let origin = '';
let originSeq = 0;
const worker = (workerId: string) => ({ workerId, backend: 'cpu' });
const config = (seed = 0) => resolveRunConfig({ model: 'cnn', preset: 'smoke', seed }, 'ds-test');
const summary = { accuracy: 0.9 } as unknown as ClassifierSummary;

before(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-queue-'));
  db = openDb(dataDir);
  queue = new SqliteRunQueue(db);
  const none = { seed: 0, train: [], val: [], test: [] };
  insertDataset(db, {
    id: 'ds-test', name: 'test', kind: 'demo', contentHash: 'x', imageSize: 32, count: 0, classCounts: { healthy: 0, tumor: 0 },
    source: null, duplicateGroups: 0, dir: 'datasets/test', splits: none, anomalySplits: null, lineage: null, createdAt: Date.now(),
  });
});
after(() => {
  db.$client.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
// Each test has its own origin, so runs left by one test are invisible to the next.
beforeEach(() => {
  origin = `test-${++originSeq}`;
});

test('claims the highest priority first, then the oldest; only runs of its own origin', async () => {
  const a = await queue.enqueue(config(1), origin);
  const b = await queue.enqueue(config(2), origin);
  const urgent = await queue.enqueue(config(3), origin, 2);
  await queue.enqueue(config(4), `${origin}-other`);
  assert.deepEqual((await queue.queuedRuns(origin)).map((r) => r.id), [urgent.id, a.id, b.id]);
  const claimed = [];
  for (let i = 0; i < 4; i++) claimed.push((await queue.claim(origin, worker(`w${i}`)))?.id);
  assert.deepEqual(claimed, [urgent.id, a.id, b.id, undefined]);
  assert.deepEqual(await queue.counts(origin), { queued: 0, running: 3 });
  assert.deepEqual(await queue.counts(`${origin}-other`), { queued: 1, running: 0 });
});

test('a run is claimed once only, also by two connections to one database', async () => {
  const other = openDb(dataDir);
  try {
    const run = await queue.enqueue(config(), origin);
    const [first, second] = await Promise.all([queue.claim(origin, worker('w1')), new SqliteRunQueue(other).claim(origin, worker('w2'))]);
    assert.equal(first?.id, run.id);
    assert.equal(first?.status, 'running');
    assert.equal(first?.workerId, 'w1');
    assert.equal(second, undefined);
  } finally {
    other.$client.close();
  }
});

test('a claim sets a lease that only the holder extends; a finished run holds none', async () => {
  const run = await queue.enqueue(config(), origin);
  const before = Date.now();
  const claimed = (await queue.claim(origin, worker('w1'), 60_000))!;
  assert.ok(claimed.leaseUntil! >= before + 60_000 && claimed.leaseUntil! <= Date.now() + 60_000);
  assert.equal(await queue.extendLease(run.id, 'w2', 600_000), undefined, 'another worker cannot extend it');
  const extended = (await queue.extendLease(run.id, 'w1', 600_000))!;
  assert.ok(extended.leaseUntil! >= before + 600_000);
  const done = (await queue.complete(run.id, summary))!;
  assert.equal(done.leaseUntil, null);
  assert.equal(await queue.extendLease(run.id, 'w1'), undefined);
});

test('complete only a running run; fail and cancel only a queued or running one', async () => {
  const queued = await queue.enqueue(config(1), origin);
  assert.equal(await queue.complete(queued.id, summary), undefined, 'a queued run cannot succeed');
  assert.equal(await queue.updateProgress(queued.id, 0.5), undefined, 'a queued run has no progress');
  const cancelled = (await queue.cancel(queued.id))!;
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(cancelled.error, 'cancelled by a user');
  assert.equal(await queue.fail(queued.id, 'late'), undefined, 'a cancelled run stays cancelled');

  const run = await queue.enqueue(config(2), origin);
  await queue.claim(origin, worker('w1'));
  assert.equal((await queue.updateProgress(run.id, 0.5))?.progress, 0.5);
  const succeeded = (await queue.complete(run.id, summary))!;
  assert.equal(succeeded.status, 'succeeded');
  assert.equal(succeeded.progress, 1);
  assert.deepEqual(succeeded.summary, summary);
  assert.equal(await queue.fail(run.id, 'too late'), undefined, 'a succeeded run keeps its outcome');
  assert.equal(await queue.cancel(run.id), undefined);
  assert.equal(await queue.complete(run.id, summary), undefined, 'a run succeeds once');

  const failing = await queue.enqueue(config(3), origin);
  await queue.claim(origin, worker('w1'));
  const failed = (await queue.fail(failing.id, 'out of memory'))!;
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error, 'out of memory');
  assert.ok(failed.finishedAt);
});

test('requeue puts a running, failed or cancelled run back as never claimed; not a succeeded one', async () => {
  const run = await queue.enqueue(config(1), origin);
  await queue.claim(origin, worker('w1'));
  const again = (await queue.requeue(run.id))!;
  assert.equal(again.status, 'queued');
  assert.equal(again.workerId, null);
  assert.equal(again.leaseUntil, null);
  assert.equal(again.startedAt, null);
  assert.equal(await queue.requeue(run.id), undefined, 'already queued');
  assert.equal((await queue.claim(origin, worker('w2')))?.id, run.id, 'another worker takes it');
  await queue.fail(run.id, 'worker lost');
  const retried = (await queue.requeue(run.id))!;
  assert.equal(retried.status, 'queued');
  assert.equal(retried.error, null);
  assert.equal(retried.finishedAt, null);
  await queue.claim(origin, worker('w3'));
  await queue.complete(run.id, summary);
  assert.equal(await queue.requeue(run.id), undefined, 'a succeeded run keeps its results');
});

test('the reads the scheduler uses: runs held by a worker and orphaned runs', async () => {
  const held = await queue.enqueue(config(1), origin);
  const waiting = await queue.enqueue(config(2), origin);
  await queue.claim(origin, worker('w-held'));
  assert.deepEqual((await queue.runsHeldBy('w-held')).map((r) => r.id), [held.id]);
  const orphaned = new Set((await queue.orphanedRuns()).map((r) => r.id));
  assert.ok(orphaned.has(held.id) && orphaned.has(waiting.id));
  await queue.complete(held.id, summary);
  await queue.cancel(waiting.id);
  assert.deepEqual(await queue.runsHeldBy('w-held'), []);
  const left = new Set((await queue.orphanedRuns()).map((r) => r.id));
  assert.ok(!left.has(held.id) && !left.has(waiting.id));
});

test('routing: a run that requires a GPU goes to a GPU worker only; a CPU worker told to leave paper runs skips them', async () => {
  const needsGpu = await queue.enqueue({ ...config(1), requireGpu: true } as ReturnType<typeof config>, origin, 5);
  const paper = await queue.enqueue(resolveRunConfig({ model: 'cnn', preset: 'paper', seed: 2 }, 'ds-test'), origin, 4);
  const plain = await queue.enqueue(config(3), origin);
  assert.equal((await queue.claim(origin, { ...worker('cpu'), avoidPaper: true }))?.id, plain.id, 'the CPU worker passes over the GPU and paper runs');
  assert.equal(await queue.claim(origin, { ...worker('cpu2'), avoidPaper: true }), undefined);
  assert.equal((await queue.claim(origin, worker('cpu3')))?.id, paper.id, 'with no GPU worker attached a CPU worker takes a paper run');
  assert.equal(await queue.claim(origin, worker('cpu4')), undefined, 'never a run that requires a GPU');
  assert.equal((await queue.claim(origin, { ...worker('gpu'), gpu: true }))?.id, needsGpu.id);
});

test('a ticket claims its run only for the attempt it was issued for', async () => {
  const run = await queue.enqueue(config(), origin);
  assert.equal(await queue.claimRun(run.id, 2, worker('a')), undefined, 'a ticket for a later attempt finds nothing');
  const taken = await queue.claimRun(run.id, 1, worker('a'));
  assert.equal(taken?.workerId, 'a');
  assert.equal(taken?.attempts, 1);
  assert.equal(await queue.claimRun(run.id, 1, worker('b')), undefined, 'the same ticket drawn twice hands the run out once');
  await queue.retry(run.id, 'agent a was lost', 3);
  assert.equal(await queue.claimRun(run.id, 1, worker('b')), undefined, 'the stale first ticket finds nothing');
  assert.equal((await queue.claimRun(run.id, 2, worker('b')))?.workerId, 'b');
  await queue.cancel(run.id);
  assert.equal(await queue.claimRun(run.id, 3, worker('c')), undefined, 'a cancelled run is never taken');
});
