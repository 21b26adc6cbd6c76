// Classifier splits: deterministic from the seed, stratified by class, disjoint and complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stratifiedSplit } from '../../workers/data/splits';

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
