// Team mode's queue against a real redis-server, without agents: tickets are drawn in priority
// order, a cancelled run's waiting ticket is withdrawn, a ticket whose holder stops renewing its
// lock is reported as stalled (BullMQ's stalled-job check) and the server queues that run again,
// and tickets come back for every queued run after Redis lost them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { openDb, type Db } from '../../db/client';
import { insertDataset } from '../../db/queries/datasets';
import { getRun } from '../../db/queries/runs';
import { resolveRunConfig } from '../../lib/contracts/run-config';
import { TEAM_QUEUES, ticketSchema, type Ticket } from '../../lib/contracts/team-queue';
import { SqliteRunQueue } from '../../server/queue/sqlite-queue';
import { BullmqRunQueue, onTicketLost } from '../../server/queue/bullmq-queue';
import { startRedis, type TestRedis } from '../helpers/redis';

let redis: TestRedis;
let dataDir: string;
let db: Db;
let queue: BullmqRunQueue;
const lost: { ticket: Ticket; reason: string }[] = [];
const prefix = 'tq';
const config = (seed: number) => resolveRunConfig({ model: 'cnn', preset: 'smoke', seed }, 'ds-test');

before(async () => {
  redis = await startRedis();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'team-queue-'));
  db = openDb(dataDir);
  const none = { seed: 0, train: [], val: [], test: [] };
  insertDataset(db, {
    id: 'ds-test', name: 'test', kind: 'demo', contentHash: 'x', imageSize: 32, count: 0, classCounts: { healthy: 0, tumor: 0 },
    source: null, duplicateGroups: 0, dir: 'datasets/test', splits: none, anomalySplits: null, lineage: null, createdAt: Date.now(),
  });
  queue = new BullmqRunQueue(new SqliteRunQueue(db), { redisUrl: redis.url, prefix, gpuAttached: () => false, ticketLost: (ticket, reason) => lost.push({ ticket, reason }), log: () => {} });
  await queue.ready();
});

after(async () => {
  await queue.close();
  db.$client.close();
  await redis.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Draws `n` tickets one at a time, as an agent with one slot does (BullMQ's manual fetching:
 * nothing is drawn beyond the n). */
async function draw(n: number): Promise<Ticket[]> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const worker = new Worker(TEAM_QUEUES.any, null, { connection, prefix });
  const drawn: Ticket[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const token = `draw-${i}`;
      const job = await worker.getNextJob(token, { block: false });
      if (!job) throw new Error(`drew ${drawn.length} of ${n} tickets`);
      drawn.push(ticketSchema.parse(job.data));
      await job.moveToCompleted({ taken: true }, token, false);
    }
  } finally {
    await worker.close();
    connection.disconnect();
  }
  return drawn;
}

test('tickets are drawn in priority order, then oldest first; a cancelled run leaves no ticket', async () => {
  const low = await queue.enqueue(config(1), 'dashboard', 0);
  const cancelled = await queue.enqueue(config(2), 'dashboard', 9);
  const high = await queue.enqueue(config(3), 'dashboard', 5);
  const mid = await queue.enqueue(config(4), 'dashboard', 1);
  const alsoLow = await queue.enqueue(config(5), 'dashboard', 0);
  await queue.cancel(cancelled.id);
  const drawn = await draw(4);
  assert.deepEqual(drawn.map((t) => t.runId), [high.id, mid.id, low.id, alsoLow.id]);
  assert.ok(drawn.every((t) => t.attempt === 1));
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const raw = new Queue(TEAM_QUEUES.any, { connection, prefix });
  assert.equal(await raw.getJob(`${cancelled.id}.1`), undefined, 'the cancelled run has no ticket');
  await raw.close();
  connection.disconnect();
});

test('a ticket whose holder stops renewing its lock is reported stalled, and the server queues the run again', async () => {
  const run = await queue.enqueue(config(6), 'dashboard');
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  let taken!: () => void;
  const takenP = new Promise<void>((r) => (taken = r));
  // An agent that draws the ticket, takes the run, then freezes (its lock is never renewed).
  const frozen = new Worker(TEAM_QUEUES.any, async (job) => {
    const ticket = ticketSchema.parse(job.data);
    await queue.claimRun(ticket.runId, ticket.attempt, { workerId: 'frozen', backend: 'wasm' });
    taken();
    await new Promise(() => {});
  }, { connection, prefix, lockDuration: 1000, skipLockRenewal: true, stalledInterval: 500, maxStalledCount: 0 });
  await takenP;
  const deadline = Date.now() + 20_000;
  while (!lost.some((l) => l.ticket.runId === run.id)) {
    assert.ok(Date.now() < deadline, 'no stalled report within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await frozen.close(true);
  connection.disconnect();
  const report = lost.find((l) => l.ticket.runId === run.id)!;
  assert.deepEqual(report.ticket, { runId: run.id, attempt: 1 });
  assert.match(report.reason, /stopped renewing the queue lock \(stalled\)/);

  const retried: string[] = [];
  const deps = { run: (id: string) => getRun(db, id), retry: async (id: string, why: string) => void retried.push(`${id}: ${why}`), reissue: async () => {} };
  assert.equal(await onTicketLost(report.ticket, report.reason, deps), 'retried');
  assert.match(retried[0], /worker frozen: its agent stopped renewing the queue lock/);
  assert.equal(await onTicketLost({ runId: run.id, attempt: 7 }, report.reason, deps), 'ignored', 'a stale ticket changes nothing');
});

test('after Redis lost its data, every queued run gets its ticket back at start-up', async () => {
  const a = await queue.enqueue(config(7), 'dashboard');
  const b = await queue.enqueue(config(8), 'dashboard', 3);
  const flush = new Redis(redis.url);
  await flush.flushall();
  flush.disconnect();
  const queued = await queue.reconcile('dashboard');
  assert.ok(queued >= 2);
  const drawn = (await draw(queued)).map((t) => t.runId);
  assert.ok(drawn.includes(a.id) && drawn.includes(b.id));
  assert.ok(drawn.indexOf(b.id) < drawn.indexOf(a.id), 'priorities hold after reconciling');
});
