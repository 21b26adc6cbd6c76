// Anomaly techniques on reconstruction-error maps (paper section 5.2): lattice DBSCAN against a
// brute-force reference, each technique separating constructed healthy / tumour maps, each
// technique's decision rule pinned on a hand-made case, their ranking on harder constructed maps
// (the README's check against the paper), a search that cannot read test labels, and 128x128
// maps handled well under a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../lib/rng';
import { dbscanLattice, largestClusterSize, NOISE, NOT_A_POINT } from '../../workers/eval/dbscan';
import { applyGlobalKmeans, fitGlobalKmeans, kmeansSplit } from '../../workers/eval/anomaly-techniques';
import { checkTechniques, SCENARIOS } from './error-map-scenarios';
import { applyTechnique, evaluateApplied, searchOnValidation, TECHNIQUES, type Technique } from '../../workers/eval/anomaly';

/** Textbook DBSCAN with O(n^2) region queries, same visiting order (row-major core pixels). */
function bruteDbscan(mask: number[], size: number, eps: number, minPts: number): Int32Array {
  const pts = mask.flatMap((m, p) => (m ? [p] : []));
  const near = (a: number, b: number) => (Math.floor(a / size) - Math.floor(b / size)) ** 2 + ((a % size) - (b % size)) ** 2 <= eps * eps;
  const region = (p: number) => pts.filter((q) => near(p, q));
  const labels = new Int32Array(size * size).fill(NOT_A_POINT);
  for (const p of pts) labels[p] = NOISE;
  let cluster = 0;
  for (const p of pts) {
    if (labels[p] !== NOISE || region(p).length < minPts) continue;
    const queue = [p];
    labels[p] = cluster;
    while (queue.length) {
      const q = queue.shift()!;
      const r = region(q);
      if (r.length < minPts) continue;
      for (const o of r) if (labels[o] === NOISE) { labels[o] = cluster; queue.push(o); }
    }
    cluster++;
  }
  return labels;
}

test('lattice DBSCAN matches brute-force DBSCAN on random maps', () => {
  const rng = createRng(11);
  for (let trial = 0; trial < 30; trial++) {
    const size = 8 + Math.floor(rng() * 10);
    const density = 0.15 + rng() * 0.5;
    const mask = Array.from({ length: size * size }, () => (rng() < density ? 1 : 0));
    const [eps, minPts] = [[1, 2], [1.5, 4], [2, 5], [2.5, 8], [3, 3]][trial % 5];
    assert.deepEqual(dbscanLattice(mask, size, eps, minPts), bruteDbscan(mask, size, eps, minPts), `trial ${trial}: ${size}px, eps ${eps}, minPts ${minPts}`);
  }
});

test('DBSCAN finds one cluster in a blob and none in scattered noise', () => {
  const size = 24;
  const blob = Array.from({ length: size * size }, (_, p) => ((Math.floor(p / size) - 12) ** 2 + ((p % size) - 8) ** 2 <= 16 ? 1 : 0));
  const labels = dbscanLattice(blob, size, 1.5, 4);
  assert.equal(Math.max(...labels), 0, 'more than one cluster');
  assert.equal(largestClusterSize(labels), blob.filter(Boolean).length);
  // Isolated pixels 3 apart: each has only itself within eps 1.5.
  const scattered = Array.from({ length: size * size }, (_, p) => (Math.floor(p / size) % 3 === 0 && (p % size) % 3 === 0 ? 1 : 0));
  assert.equal(largestClusterSize(dbscanLattice(scattered, size, 1.5, 4)), 0);
});

/**
 * Error maps: healthy = uniform noise in [0, 0.1); tumour = the same plus a 0.6 disc of radius 3-5
 * centred in the middle `spread` of the image (0.4: anywhere in its central 40%).
 */
function errorMapSet(healthy: number, tumour: number, size: number, seed: number, spread = 0.4): { maps: Float32Array; labels: number[] } {
  const rng = createRng(seed);
  const labels = [...Array(healthy).fill(0), ...Array(tumour).fill(1)];
  const maps = new Float32Array(labels.length * size * size);
  labels.forEach((label, i) => {
    const [cy, cx, r] = [size * (0.5 + spread * (rng() - 0.5)), size * (0.5 + spread * (rng() - 0.5)), 3 + 2 * rng()];
    for (let p = 0; p < size * size; p++) {
      const [y, x] = [Math.floor(p / size), p % size];
      maps[i * size * size + p] = 0.1 * rng() + (label && (y - cy) ** 2 + (x - cx) ** 2 <= r * r ? 0.6 : 0);
    }
  });
  return { maps, labels };
}

for (const technique of TECHNIQUES) {
  test(`${technique} chosen on validation separates healthy from tumour maps it has not seen`, () => {
    // Global KMeans compares maps pixel by pixel, so it only groups tumour maps whose anomalies
    // overlap: with blobs anywhere in the central 40% its validation F1 was 0.46-0.89 (seeds 0-3,
    // k 2-3), a tumour far from the others being closer to the all-healthy centroid.
    const spread = technique === 'global-kmeans' ? 0.1 : 0.4;
    const val = errorMapSet(10, 10, 32, 1, spread);
    const testSet = errorMapSet(12, 8, 32, 2, spread);
    const chosen = searchOnValidation(technique, val.maps, val.labels, 32, { seed: 3 });
    assert.ok(chosen.validation.f1 >= 0.95, `validation F1 ${chosen.validation.f1}`);
    const applied = applyTechnique(technique, chosen.params, chosen.fitted, testSet.maps, 32);
    const result = evaluateApplied(applied, testSet.labels);
    console.log(`${technique}: ${JSON.stringify(chosen.params)} of ${chosen.candidates}; test accuracy ${result.metrics.accuracy}, AUROC ${result.auroc}`);
    assert.ok(result.metrics.accuracy >= 0.95, `test accuracy ${result.metrics.accuracy}`);
    assert.ok(result.auroc >= 0.95, `test AUROC ${result.auroc}`);
  });
}

test('the search sees validation data only and test labels are read once, at the final evaluation', () => {
  const val = errorMapSet(8, 8, 16, 4);
  const raw = errorMapSet(6, 6, 16, 5);
  let labelReads = 0;
  let evaluating = false;
  // Instrumented test split: its labels throw unless the final evaluation is running.
  const testSplit = {
    maps: raw.maps,
    get labels(): number[] {
      if (!evaluating) throw new Error('test labels touched before the final evaluation');
      labelReads++;
      return raw.labels;
    },
  };
  for (const technique of TECHNIQUES) {
    const chosen = searchOnValidation(technique, val.maps, val.labels, 16);
    const applied = applyTechnique(technique, chosen.params, chosen.fitted, testSplit.maps, 16);
    // The choice cannot depend on the test split: a different test split gives the same choice.
    assert.deepEqual(searchOnValidation(technique, val.maps, val.labels, 16).params, chosen.params);
    // Scores are per image (Global KMeans assigns to centroids fitted on validation, it does not
    // refit): scoring half of the test maps gives the same scores for that half.
    const half = applyTechnique(technique, chosen.params, chosen.fitted, testSplit.maps.subarray(0, 6 * 256), 16);
    assert.deepEqual(half.scores, applied.scores.subarray(0, 6));
    evaluating = true;
    evaluateApplied(applied, testSplit.labels);
    evaluating = false;
  }
  assert.equal(labelReads, TECHNIQUES.length);
});

test('Global KMeans: alpha above every cluster gap predicts no tumour; mismatched fits are refused', () => {
  const val = errorMapSet(8, 8, 16, 6);
  const chosen = searchOnValidation('global-kmeans', val.maps, val.labels, 16);
  const strict = applyTechnique('global-kmeans', { ...chosen.params, alpha: 1 }, chosen.fitted, val.maps, 16);
  assert.equal(strict.predictions.reduce((a, b) => a + b, 0), 0);
  assert.throws(() => applyTechnique('global-kmeans', { ...chosen.params, anomalyThreshold: 0.99 }, chosen.fitted, val.maps, 16), /does not match/);
  assert.throws(() => applyTechnique('giaem', chosen.params as never, null, val.maps, 16), /parameters are for global-kmeans/);
  assert.throws(() => searchOnValidation('giaem', val.maps, Array(16).fill(0), 16), /needs both classes/);
});

test('single-example KMeans is deterministic for a fixed seed and finds the blob', () => {
  const { maps } = errorMapSet(0, 1, 32, 7);
  const a = kmeansSplit(maps, 32, 0, 1);
  assert.deepEqual(kmeansSplit(maps, 32, 0, 1), a);
  assert.ok(a.meanError > 0.6 && a.fraction > 0.02 && a.fraction < 0.1, JSON.stringify(a));
});

test('every technique handles a 128x128 map well under a second', () => {
  // Measured on the shared 2-core machine, per 128x128 map: GIAEM 0.1-0.6 ms, DBSCAN 2-10 ms
  // (eps 1.5-2.5, 3-70% of pixels anomalous), single-example KMeans 3-35 ms, Global KMeans 0.6-7 ms
  // to apply (its fit on 100 maps, k 3: 116 ms). Full default-grid searches on 40 maps took
  // GIAEM 0.03 s, DBSCAN 0.4 s, KMeans 0.5 s, Global KMeans 2.6 s.
  const val = errorMapSet(4, 4, 128, 8);
  const grids: { [T in Technique]: Record<string, number[]> } = {
    giaem: { anomalyThreshold: [0.3], tumorIndex: [0.001] },
    dbscan: { anomalyThreshold: [0.05], eps: [2.5], minPts: [8], tumorIndex: [0.001] },
    kmeans: { anomalyThreshold: [0.3], spatialWeight: [0], tumorIndex: [0.001] },
    'global-kmeans': { anomalyThreshold: [0.3], k: [2], alpha: [0] },
  };
  for (const technique of TECHNIQUES) {
    const chosen = searchOnValidation(technique, val.maps, val.labels, 128, { grid: grids[technique] as never });
    const start = performance.now();
    applyTechnique(technique, chosen.params, chosen.fitted, val.maps.subarray(7 * 128 * 128), 128);
    const ms = performance.now() - start;
    console.log(`${technique} @128: ${ms.toFixed(1)} ms per map`);
    assert.ok(ms < 1000, `${technique} took ${ms} ms`);
  }
});

test('the search does not pick "everything is a tumour" on a tumour-heavy validation split', () => {
  // 40 tumour maps (half with a clear blob, half indistinguishable from healthy) and 10 healthy
  // maps of uniform noise in [0, 0.1]. "All tumour" scores F1 0.89 here; catching the blobs only
  // scores F1 0.67 but balanced accuracy 0.75 against 0.5: the search must prefer the latter.
  const size = 16, n = 50, rand = createRng(9);
  const maps = new Float32Array(n * size * size);
  const labels = Array.from({ length: n }, (_, i) => (i < 40 ? 1 : 0));
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < size * size; p++) maps[i * size * size + p] = 0.1 * rand();
    if (i < 20) for (let y = 5; y < 10; y++) for (let x = 5; x < 10; x++) maps[i * size * size + y * size + x] = 0.8;
  }
  const chosen = searchOnValidation('giaem', maps, labels, size);
  const c = chosen.validation.confusion;
  assert.deepEqual({ tp: c.tp, fp: c.fp }, { tp: 20, fp: 0 }, JSON.stringify(chosen.params));
});

/** A 16x16 map of error 0.05 with `pixels` (row, column) set to 0.8. */
function mapWith(pixels: [number, number][], size = 16): Float32Array {
  const map = new Float32Array(size * size).fill(0.05);
  for (const [y, x] of pixels) map[y * size + x] = 0.8;
  return map;
}
const square = (y0: number, x0: number, side = 3) => Array.from({ length: side * side }, (_, i): [number, number] => [y0 + Math.floor(i / side), x0 + (i % side)]);
const scattered: [number, number][] = square(0, 0).map(([y, x]) => [1 + 5 * y, 1 + 5 * x]);

test('each technique decides as paper 5.2 describes, on hand-made maps', () => {
  const blob = mapWith(square(6, 6));
  const spread = mapWith(scattered);
  const flat = mapWith([]);
  const decide = (technique: Technique, params: object, map: Float32Array) =>
    applyTechnique(technique, { technique, ...params } as never, null, map, 16).predictions[0];
  // GIAEM: tumour when the share of pixels above anomaly_threshold exceeds tumor_index (9 of 256).
  assert.equal(decide('giaem', { anomalyThreshold: 0.3, tumorIndex: 8 / 256 }, blob), 1);
  assert.equal(decide('giaem', { anomalyThreshold: 0.3, tumorIndex: 9 / 256 }, blob), 0, 'the share must exceed tumor_index');
  assert.equal(decide('giaem', { anomalyThreshold: 0.3, tumorIndex: 8 / 256 }, spread), 1, 'GIAEM ignores where the anomalous pixels are');
  // DBSCAN: the largest dense cluster of anomalous pixels; the same 9 pixels scattered are noise.
  const dbscan = { anomalyThreshold: 0.3, eps: 1.5, minPts: 4, tumorIndex: 8 / 256 };
  assert.equal(decide('dbscan', dbscan, blob), 1);
  assert.equal(decide('dbscan', dbscan, spread), 0);
  // Per-image KMeans: k = 2; the higher-error cluster's share against tumor_index, counted only
  // when its mean error passes anomaly_threshold (a flat map still splits in two).
  const kmeans = { anomalyThreshold: 0.3, spatialWeight: 0, tumorIndex: 8 / 256, seed: 0 };
  assert.equal(decide('kmeans', kmeans, blob), 1);
  assert.equal(decide('kmeans', kmeans, flat), 0);
  assert.equal(kmeansSplit(blob, 16, 0, 0).fraction, 9 / 256);
  // Global KMeans: maps binarised at anomaly_threshold, clustered whole; a map takes the label of
  // its nearest centroid, compared pixel by pixel: a blob where the fitted tumours had theirs is a
  // tumour, the same blob elsewhere is nearer the healthy reference (the check in the README).
  const fitting = new Float32Array(8 * 256);
  [flat, flat, flat, flat, blob, blob, mapWith(square(6, 7)), mapWith(square(7, 6))].forEach((m, i) => fitting.set(m, i * 256));
  const fit = fitGlobalKmeans(fitting, 16, 0.3, 2, 0);
  const label = (map: Float32Array) => applyGlobalKmeans(fit, map, 0.01).predictions[0];
  assert.deepEqual([label(flat), label(blob), label(mapWith(square(6, 5)))], [0, 1, 1]);
  assert.equal(label(mapWith(square(12, 0))), 0, 'a blob away from the fitted ones');
});

test('on harder constructed maps DBSCAN ranks first and Global KMeans near chance (README figures)', () => {
  // Blobs anywhere in the central 60%, a diffuse level varying per map and a bright brain edge in
  // both classes: the paper's ranking (Global KMeans best, GIAEM far behind) does not appear.
  const r = checkTechniques(SCENARIOS['blobs anywhere, varying level, brain edge'], 0);
  console.log(JSON.stringify(r));
  assert.ok(r.dbscan.balancedAccuracy >= 0.9, `DBSCAN ${r.dbscan.balancedAccuracy}`);
  assert.ok(r['global-kmeans'].balancedAccuracy < 0.7, `Global KMeans ${r['global-kmeans'].balancedAccuracy}`);
  for (const t of ['giaem', 'kmeans', 'global-kmeans'] as const) assert.ok(r[t].balancedAccuracy < r.dbscan.balancedAccuracy, t);
  // With every tumour's anomaly in one place Global KMeans does separate them.
  assert.ok(checkTechniques(SCENARIOS['blobs in one place'], 0)['global-kmeans'].balancedAccuracy >= 0.9);
});
