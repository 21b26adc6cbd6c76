// The load test at a small scale: a real headless dashboard in its own process, 5 signed-in
// viewers on a run's page and a synthetic worker streaming 200 points a second for 3 s. Every
// point must be stored and reach every viewer, in order, with latencies measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoadTest } from '../../server/loadtest/run';

test('5 viewers, 200 points/s for 3 s: nothing lost, every viewer receives every point in order', async () => {
  const r = await runLoadTest({ viewers: 5, rate: 200, seconds: 3, batchMs: 250 });
  assert.equal(r.sent, 600);
  assert.equal(r.persisted, 600, 'every point is stored in SQLite');
  assert.equal(r.lost, 0);
  assert.equal(r.deliveredMin, 600, 'the least served viewer received every point');
  assert.equal(r.missingTotal, 0);
  assert.equal(r.outOfOrder, 0);
  assert.equal(r.viewersDisconnected, 0);
  assert.ok(r.p50Ms !== null && r.p99Ms !== null && r.p50Ms <= r.p95Ms! && r.p95Ms! <= r.p99Ms, `latencies p50 ${r.p50Ms} p95 ${r.p95Ms} p99 ${r.p99Ms}`);
  assert.ok(r.serverRssPeakMb > 0 && r.serverRssPeakMb >= r.serverRssStartMb);
});
