// KMeans from mljs `ml-kmeans` (Lloyd iterations) started from k-means++ centres drawn with the
// project's seeded PRNG, so a clustering is reproducible from the run's seed.
import { kmeans } from 'ml-kmeans';
import { createRng } from '../../lib/rng';

export interface KMeansFit {
  /** Cluster of every point. */
  clusters: number[];
  centroids: number[][];
}

const squaredDistance = (a: number[], b: number[]) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
};

/** k-means++ (Arthur & Vassilvitskii 2007): each next centre drawn with probability ~ D^2. */
export function kmeansPlusPlusCentres(points: number[][], k: number, seed: number): number[][] {
  const rng = createRng(seed);
  const centres = [points[Math.floor(rng() * points.length)]];
  const nearest = points.map((p) => squaredDistance(p, centres[0]));
  while (centres.length < k) {
    const total = nearest.reduce((a, b) => a + b, 0);
    let pick = Math.floor(rng() * points.length);
    // With every point on a centre already (total 0) the draw stays uniform.
    if (total > 0) {
      let r = rng() * total;
      for (pick = 0; pick < points.length - 1 && r >= nearest[pick]; pick++) r -= nearest[pick];
    }
    centres.push(points[pick]);
    for (let i = 0; i < points.length; i++) nearest[i] = Math.min(nearest[i], squaredDistance(points[i], points[pick]));
  }
  return centres.map((c) => [...c]);
}

/** KMeans with k clusters; deterministic for a fixed seed. */
export function seededKMeans(points: number[][], k: number, seed: number, maxIterations = 100): KMeansFit {
  if (points.length < k) throw new Error(`KMeans needs at least ${k} points, got ${points.length}`);
  const result = kmeans(points, k, { initialization: kmeansPlusPlusCentres(points, k, seed), maxIterations, distanceFunction: squaredDistance });
  return { clusters: result.clusters, centroids: result.centroids };
}

/** Index of the centroid closest to a point (ties to the lower index) and its squared distance. */
export function nearestCentroid(point: ArrayLike<number>, centroids: ArrayLike<number>[]): { index: number; distance: number } {
  let index = 0;
  let distance = Infinity;
  centroids.forEach((c, j) => {
    let s = 0;
    for (let i = 0; i < point.length; i++) {
      const d = point[i] - c[i];
      s += d * d;
    }
    if (s < distance) {
      distance = s;
      index = j;
    }
  });
  return { index, distance };
}
