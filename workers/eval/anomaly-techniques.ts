// The four decision techniques of paper section 5.2 on reconstruction-error maps, as pure
// functions of maps (N * S * S values, image after image, row-major): each gives a continuous
// score per image (higher = more tumour). Hyper-parameter search and decisions live in anomaly.ts.
import { dbscanLattice, largestClusterSize } from './dbscan';
import { nearestCentroid, seededKMeans } from './seeded-kmeans';

/** The i-th S x S map of a stack, without copying. */
export function mapAt(maps: Float32Array, size: number, i: number): Float32Array {
  return maps.subarray(i * size * size, (i + 1) * size * size);
}

export function mapCount(maps: Float32Array, size: number): number {
  const n = maps.length / (size * size);
  if (!Number.isInteger(n)) throw new Error(`error maps hold ${maps.length} values, not a whole number of ${size}x${size} maps`);
  return n;
}

/** Fraction of the pixels whose error exceeds the anomaly threshold. */
export function anomalousFraction(map: Float32Array, anomalyThreshold: number): number {
  let count = 0;
  for (const e of map) if (e > anomalyThreshold) count++;
  return count / map.length;
}

/** GIAEM (global image absolute error magnitude): the anomalous fraction of every map. */
export function giaemScores(maps: Float32Array, size: number, anomalyThreshold: number): Float64Array {
  return Float64Array.from({ length: mapCount(maps, size) }, (_, i) => anomalousFraction(mapAt(maps, size, i), anomalyThreshold));
}

/** DBSCAN over the anomalous pixels: the largest cluster's share of the image area. */
export function dbscanScores(maps: Float32Array, size: number, anomalyThreshold: number, eps: number, minPts: number): Float64Array {
  const mask = new Uint8Array(size * size);
  return Float64Array.from({ length: mapCount(maps, size) }, (_, i) => {
    const map = mapAt(maps, size, i);
    for (let p = 0; p < map.length; p++) mask[p] = map[p] > anomalyThreshold ? 1 : 0;
    return largestClusterSize(dbscanLattice(mask, size, eps, minPts)) / map.length;
  });
}

/** The anomalous (higher mean error) cluster of a per-image k = 2 split. */
export interface KmeansSplit {
  /** Its share of the image area. */
  fraction: number;
  /** Mean error of its pixels. */
  meanError: number;
}

/**
 * Single-example KMeans: k = 2 on the pixels of one map with features (error, w * y/S, w * x/S);
 * w (spatialWeight) trades error similarity against spatial compactness.
 */
export function kmeansSplit(map: Float32Array, size: number, spatialWeight: number, seed: number): KmeansSplit {
  const points: number[][] = new Array(map.length);
  for (let p = 0; p < map.length; p++) {
    const y = Math.floor(p / size);
    points[p] = [map[p], (spatialWeight * y) / size, (spatialWeight * (p - y * size)) / size];
  }
  const { clusters } = seededKMeans(points, 2, seed);
  const sums = [0, 0];
  const counts = [0, 0];
  clusters.forEach((c, p) => {
    sums[c] += map[p];
    counts[c]++;
  });
  const means = sums.map((s, c) => (counts[c] ? s / counts[c] : -Infinity));
  const anomalous = means[1] > means[0] ? 1 : 0;
  return { fraction: counts[anomalous] / map.length, meanError: means[anomalous] };
}

/**
 * Score of a split: the anomalous cluster's size, counted only when its mean error exceeds the
 * anomaly threshold. Without this gate (our addition) k = 2 halves even a flat healthy map, whose
 * "anomalous" half would then outweigh any tumour.
 */
export function kmeansScore(split: KmeansSplit, anomalyThreshold: number): number {
  return split.meanError > anomalyThreshold ? split.fraction : 0;
}

/** Centroids of the binarised maps of a fitting set (Global KMeans). */
export interface GlobalKmeansFit {
  size: number;
  anomalyThreshold: number;
  centroids: Float32Array[];
  /** Mean of each centroid: the anomalous share of the image at the cluster's centre. */
  anomalousFraction: number[];
  /** The cluster with the lowest anomalous fraction: the healthy reference. */
  referenceCluster: number;
}

function binarised(map: Float32Array, anomalyThreshold: number): number[] {
  return Array.from(map, (e) => (e > anomalyThreshold ? 1 : 0));
}

/** Global KMeans fit: k clusters over the N x (S*S) matrix of maps binarised at the threshold. */
export function fitGlobalKmeans(maps: Float32Array, size: number, anomalyThreshold: number, k: number, seed: number): GlobalKmeansFit {
  const n = mapCount(maps, size);
  const rows = Array.from({ length: n }, (_, i) => binarised(mapAt(maps, size, i), anomalyThreshold));
  const { centroids } = seededKMeans(rows, k, seed);
  const anomalousFraction = centroids.map((c) => c.reduce((a, b) => a + b, 0) / c.length);
  const referenceCluster = anomalousFraction.indexOf(Math.min(...anomalousFraction));
  return { size, anomalyThreshold, centroids: centroids.map((c) => Float32Array.from(c)), anomalousFraction, referenceCluster };
}

/**
 * Assigns maps to fitted centroids. A cluster counts as tumour when its anomalous fraction exceeds
 * the healthy reference's by more than alpha: the paper's alpha "restricts the clusters that were
 * too big", and we read it as a margin that keeps clusters of nearly-healthy maps out of the
 * tumour class. Score = (d(x, reference)^2 - min over other clusters d(x, c)^2) / (S*S): how much
 * closer the image is to some non-reference centroid than to the healthy one (alpha-free).
 */
export function applyGlobalKmeans(fit: GlobalKmeansFit, maps: Float32Array, alpha: number): { scores: Float64Array; predictions: Uint8Array } {
  const n = mapCount(maps, fit.size);
  const tumourCluster = fit.anomalousFraction.map((f) => f - fit.anomalousFraction[fit.referenceCluster] > alpha);
  const others = fit.centroids.filter((_, j) => j !== fit.referenceCluster);
  const scores = new Float64Array(n);
  const predictions = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = binarised(mapAt(maps, fit.size, i), fit.anomalyThreshold);
    const toReference = nearestCentroid(row, [fit.centroids[fit.referenceCluster]]).distance;
    const toOthers = others.length ? nearestCentroid(row, others).distance : toReference;
    scores[i] = (toReference - toOthers) / row.length;
    predictions[i] = tumourCluster[nearestCentroid(row, fit.centroids).index] ? 1 : 0;
  }
  return { scores, predictions };
}
