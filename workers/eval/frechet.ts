// Fréchet distance (FID formula) and Kernel Inception Distance between two sets of feature
// vectors (e.g. a domain encoder's embeddings of real vs synthetic MRI slices): the realism
// measures the paper omits. Pure functions on n x d Float64Array rows.
import { covariance, matMul, mean, sampleIndices, sqrtPsd, symmetricEigen, trace } from './linalg';
import { createRng } from '../../lib/rng';

/**
 * ||mu_a - mu_b||^2 + Tr(Ca + Cb - 2 (Ca^1/2 Cb Ca^1/2)^1/2). The inner matrix is symmetric PSD,
 * so both square roots come from a symmetric eigendecomposition (no complex parts to discard).
 * Clamped at 0 against rounding. Needs at least 2 rows per set.
 */
export function frechetDistance(a: Float64Array[], b: Float64Array[]): number {
  if (a.length < 2 || b.length < 2) throw new Error('frechetDistance needs at least 2 samples per set');
  if (a[0].length !== b[0].length) throw new Error('feature dimensions differ');
  const muA = mean(a), muB = mean(b);
  const ca = covariance(a, muA), cb = covariance(b, muB);
  let meanTerm = 0;
  for (let j = 0; j < muA.length; j++) meanTerm += (muA[j] - muB[j]) ** 2;
  const sa = sqrtPsd(ca);
  const inner = matMul(matMul(sa, cb), sa);
  const { values } = symmetricEigen(inner, false);
  let trSqrt = 0;
  for (const v of values) trSqrt += Math.sqrt(Math.max(v, 0));
  const fd = meanTerm + trace(ca) + trace(cb) - 2 * trSqrt;
  return Math.max(fd, 0);
}

export interface KidOptions {
  /** Number of random subsets averaged (default 20; the KID paper uses 100 x 1000, ~15x slower). */
  subsets?: number;
  /** Rows per subset, drawn without replacement from each set (default min(500, |a|, |b|)). */
  subsetSize?: number;
  seed?: number;
}

function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/**
 * Unbiased MMD^2 with the cubic polynomial kernel k(x,y) = (x.y/d + 1)^3 (Bińkowski et al. 2018),
 * mean and standard deviation over random subsets. Can be slightly negative for identical
 * distributions (unbiased estimator); not clamped.
 */
export function kernelInceptionDistance(
  a: Float64Array[],
  b: Float64Array[],
  opts: KidOptions = {},
): { mean: number; std: number } {
  if (a.length < 2 || b.length < 2) throw new Error('kernelInceptionDistance needs at least 2 samples per set');
  const d = a[0].length;
  if (b[0].length !== d) throw new Error('feature dimensions differ');
  const subsets = Math.max(1, opts.subsets ?? 20);
  const m = Math.max(2, Math.min(opts.subsetSize ?? 500, a.length, b.length));
  const rand = createRng(opts.seed ?? 0);
  const k = (x: Float64Array, y: Float64Array) => (dot(x, y) / d + 1) ** 3;
  const scores: number[] = [];
  for (let s = 0; s < subsets; s++) {
    const x = Array.from(sampleIndices(a.length, m, rand), (i) => a[i]);
    const y = Array.from(sampleIndices(b.length, m, rand), (i) => b[i]);
    let kxx = 0, kyy = 0, kxy = 0;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        kxx += k(x[i], x[j]);
        kyy += k(y[i], y[j]);
      }
      for (let j = 0; j < m; j++) kxy += k(x[i], y[j]);
    }
    scores.push((2 * kxx) / (m * (m - 1)) + (2 * kyy) / (m * (m - 1)) - (2 * kxy) / (m * m));
  }
  const mu = scores.reduce((p, v) => p + v, 0) / scores.length;
  const variance = scores.length > 1 ? scores.reduce((p, v) => p + (v - mu) ** 2, 0) / (scores.length - 1) : 0;
  return { mean: mu, std: Math.sqrt(variance) };
}
