// The chart's incremental alignment matches a full alignment after live appends, a late history
// merged in before them, and a step out of order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointLog } from '../../app/lib/point-log';
import { SeriesAligner } from '../../app/lib/series-aligner';
import type { StoredMetricPoint } from '../../lib/contracts/events';

const p = (id: number, step: number, name: string, value: number) => ({ id, step, epoch: 1, name, value }) as StoredMetricPoint;

test('incremental alignment equals a fresh one', () => {
  const log = new PointLog();
  const live = new SeriesAligner(['train/loss', 'val/loss']);
  const fresh = () => new SeriesAligner(['train/loss', 'val/loss']).update([...log.all]);
  log.add([p(10, 5, 'train/loss', 1), p(11, 5, 'val/loss', 2), p(12, 6, 'train/loss', 0.5)]);
  assert.deepEqual(live.update(log.all), fresh());
  log.add([p(13, 7, 'train/loss', 0.4), p(14, 7, 'other', 9)]);
  assert.deepEqual(live.update(log.all), fresh());
  log.add([p(1, 1, 'train/loss', 3), p(2, 2, 'train/loss', 2.5)]);
  assert.deepEqual(live.update(log.all), fresh());
  assert.deepEqual(live.update(log.all)[0], [1, 2, 5, 6, 7]);
  log.add([p(20, 3, 'val/loss', 1.5)]);
  assert.deepEqual(live.update(log.all), fresh());
  assert.deepEqual(live.update(log.all)[0], [1, 2, 3, 5, 6, 7]);
});
