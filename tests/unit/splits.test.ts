// Splits: deterministic from the seed, stratified by class, disjoint and complete; near-duplicate
// groups stay whole, unlabelled images stay out, and the anomaly split trains on healthy images only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEALTHY, TUMOUR, UNLABELLED, anomalySplit, stratifiedSplit } from '../../workers/data/splits';

const labels = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? 1 : 0));

test('the same seed gives the same split, another seed a different one', () => {
  assert.deepEqual(stratifiedSplit(labels, 7), stratifiedSplit(labels, 7));
  assert.notDeepEqual(stratifiedSplit(labels, 7).test, stratifiedSplit(labels, 8).test);
});

test('splits are 70/20/10, disjoint, cover every image and keep the class balance', () => {
  const split = stratifiedSplit(labels, 1);
  const all = [...split.train, ...split.val, ...split.test];
  assert.equal(new Set(all).size, labels.length);
  assert.equal(all.length, labels.length);
  assert.ok(Math.abs(split.train.length - 700) <= 2 && Math.abs(split.val.length - 200) <= 2);
  const tumourShare = (idx: number[]) => idx.filter((i) => labels[i] === 1).length / idx.length;
  for (const part of [split.train, split.val, split.test]) assert.ok(Math.abs(tumourShare(part) - 1 / 3) < 0.02);
});

// --- Near-duplicate groups and the anomaly detector's split ---

/** Groups of 1-6 images (like augmentation families), mostly one label, ids deliberately unordered. */
function makeGroups(n: number): { labels: number[]; groups: number[] } {
  const labels: number[] = [], groups: number[] = [];
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
  for (let g = 0; labels.length < n; g++) {
    const size = 1 + Math.floor(next() * 6), label = next() < 0.4 ? TUMOUR : HEALTHY;
    for (let k = 0; k < size && labels.length < n; k++) {
      labels.push(next() < 0.05 ? 1 - label : label); // a few mislabelled copies
      groups.push((g * 7919) % 100003);
    }
  }
  return { labels, groups };
}

function assertNoStraddle(split: { train: number[]; val: number[]; test: number[] }, groups: number[]): void {
  const side = new Map<number, string>();
  for (const [name, part] of Object.entries({ train: split.train, val: split.val, test: split.test })) {
    for (const i of part) {
      const seen = side.get(groups[i]);
      assert.ok(seen === undefined || seen === name, `group ${groups[i]} is in both ${seen} and ${name}`);
      side.set(groups[i], name);
    }
  }
}

test('with groups, no group straddles splits, classes stay balanced and sizes stay near 70/20/10', () => {
  const { labels, groups } = makeGroups(3000);
  const split = stratifiedSplit(labels, 3, [0.7, 0.2, 0.1], groups);
  assertNoStraddle(split, groups);
  const all = [...split.train, ...split.val, ...split.test];
  assert.equal(new Set(all).size, labels.length);
  assert.ok(Math.abs(split.train.length / labels.length - 0.7) < 0.01, `train ${split.train.length}`);
  assert.ok(Math.abs(split.val.length / labels.length - 0.2) < 0.01, `val ${split.val.length}`);
  const share = (idx: number[]) => idx.filter((i) => labels[i] === TUMOUR).length / idx.length;
  for (const part of [split.val, split.test]) assert.ok(Math.abs(share(part) - share(split.train)) < 0.04);
});

test('with groups, the same seed gives the same split; singleton groups give the plain split', () => {
  const { labels, groups } = makeGroups(1000);
  assert.deepEqual(stratifiedSplit(labels, 9, undefined, groups), stratifiedSplit(labels, 9, undefined, groups));
  assert.notDeepEqual(stratifiedSplit(labels, 9, undefined, groups).test, stratifiedSplit(labels, 10, undefined, groups).test);
  assert.deepEqual(stratifiedSplit(labels, 9), stratifiedSplit(labels, 9, undefined, labels.map((_, i) => i)));
  assert.deepEqual(anomalySplit(labels, 9, groups), anomalySplit(labels, 9, groups));
});

test('unlabelled images (255) are left out of every split', () => {
  const withUnknown = labels.map((l, i) => (i % 10 === 0 ? UNLABELLED : l));
  for (const split of [stratifiedSplit(withUnknown, 4), anomalySplit(withUnknown, 4)]) {
    const all = [...split.train, ...split.val, ...split.test];
    assert.ok(all.every((i) => withUnknown[i] !== UNLABELLED));
    assert.equal(new Set(all).size, withUnknown.filter((l) => l !== UNLABELLED).length);
  }
});

test('the anomaly split trains on 75% of the healthy images only; val and test are real and mixed', () => {
  const healthy = labels.filter((l) => l === HEALTHY).length;
  const tumour = labels.length - healthy;
  const split = anomalySplit(labels, 5);
  assert.ok(split.train.every((i) => labels[i] === HEALTHY));
  assert.equal(split.train.length, Math.round(0.75 * healthy));
  for (const part of [split.val, split.test]) {
    const t = part.filter((i) => labels[i] === TUMOUR).length, h = part.length - t;
    assert.ok(Math.abs(t - tumour / 2) <= 1 && Math.abs(h - (healthy - split.train.length) / 2) <= 1, `part has ${h} healthy, ${t} tumour`);
  }
  assert.equal(new Set([...split.train, ...split.val, ...split.test]).size, labels.length);

  // With groups: a group holding any tumour image never reaches training, and groups stay whole.
  const g = makeGroups(3000);
  const grouped = anomalySplit(g.labels, 5, g.groups);
  assert.ok(grouped.train.every((i) => g.labels[i] === HEALTHY));
  assertNoStraddle(grouped, g.groups);
  const tumourGroups = new Set(g.groups.filter((_, i) => g.labels[i] === TUMOUR));
  const cleanHealthy = g.groups.filter((id) => !tumourGroups.has(id)).length;
  assert.ok(Math.abs(grouped.train.length / cleanHealthy - 0.75) < 0.01, `train ${grouped.train.length} of ${cleanHealthy} healthy`);
});
