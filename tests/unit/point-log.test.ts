// The browser's append-only point log: each point once, in id order, live batches appended in
// place (the array is never copied), history arriving late merged in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointLog } from '../../app/lib/point-log';
import type { StoredMetricPoint } from '../../lib/contracts/events';

const point = (id: number) => ({ id, step: id, epoch: 1, name: 'train/loss', value: 1 / id }) as StoredMetricPoint;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => point(from + i));

test('live batches append in place and duplicates are ignored', () => {
  const log = new PointLog();
  const array = log.all;
  assert.equal(log.add(range(1, 3)), true);
  assert.equal(log.add(range(2, 5)), true);
  assert.equal(log.add(range(4, 5)), false);
  assert.equal(log.all, array);
  assert.deepEqual(log.all.map((p) => p.id), [1, 2, 3, 4, 5]);
  assert.equal(log.version, 2);
});

test('a late history merges in id order', () => {
  const log = new PointLog();
  log.add(range(90, 100));
  log.add(range(1, 95));
  assert.deepEqual(log.all.map((p) => p.id), range(1, 100).map((p) => p.id));
});

test('100,000 points in batches of 50 take well under a second', () => {
  const log = new PointLog();
  const started = performance.now();
  for (let from = 1; from <= 100_000; from += 50) log.add(range(from, from + 49));
  assert.equal(log.all.length, 100_000);
  assert.ok(performance.now() - started < 1000, `${performance.now() - started} ms`);
});
