// Small dense linear algebra for the synthetic-quality metrics (FID etc.): means, covariances,
// symmetric eigendecomposition (cyclic Jacobi, robust for d <= 256) and PSD square roots, so the
// metrics need no tensor library and give the same numbers everywhere.

/** Square d x d matrix stored row-major. */
export interface SquareMatrix {
  d: number;
  data: Float64Array;
}

/** Standard normal draw (Box-Muller) from a uniform generator. */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** m distinct indices from 0..n-1 (partial Fisher-Yates); all of them if m >= n. */
export function sampleIndices(n: number, m: number, rand: () => number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const take = Math.min(m, n);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
  }
  return idx.slice(0, take);
}

function dimOf(rows: ArrayLike<number>[]): number {
  if (rows.length === 0) throw new Error('need at least one row');
  const d = rows[0].length;
  for (const r of rows) if (r.length !== d) throw new Error('rows have different lengths');
  return d;
}

/** Column means of n x d rows. */
export function mean(rows: ArrayLike<number>[]): Float64Array {
  const d = dimOf(rows);
  const mu = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mu[j] += r[j];
  for (let j = 0; j < d; j++) mu[j] /= rows.length;
  return mu;
}

/** Unbiased (n-1) covariance of n x d rows around mu (computed if not given). */
export function covariance(rows: ArrayLike<number>[], mu: Float64Array = mean(rows)): SquareMatrix {
  const d = dimOf(rows);
  const n = rows.length;
  const c = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (const r of rows) {
    for (let j = 0; j < d; j++) x[j] = r[j] - mu[j];
    for (let i = 0; i < d; i++) {
      const xi = x[i];
      if (xi === 0) continue;
      const off = i * d;
      for (let j = i; j < d; j++) c[off + j] += xi * x[j];
    }
  }
  const denom = Math.max(n - 1, 1);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = c[i * d + j] / denom;
      c[i * d + j] = v;
      c[j * d + i] = v;
    }
  }
  return { d, data: c };
}

export function trace(m: SquareMatrix): number {
  let t = 0;
  for (let i = 0; i < m.d; i++) t += m.data[i * m.d + i];
  return t;
}

/** Product of two d x d matrices (i-k-j loop order, cache friendly). */
export function matMul(a: SquareMatrix, b: SquareMatrix): SquareMatrix {
  const d = a.d;
  if (b.d !== d) throw new Error('dimension mismatch');
  const out = new Float64Array(d * d);
  const A = a.data, B = b.data;
  for (let i = 0; i < d; i++) {
    const oi = i * d;
    for (let k = 0; k < d; k++) {
      const aik = A[oi + k];
      if (aik === 0) continue;
      const ok = k * d;
      for (let j = 0; j < d; j++) out[oi + j] += aik * B[ok + j];
    }
  }
  return { d, data: out };
}

export interface SymEig {
  values: Float64Array;
  /** Row k holds the unit eigenvector of values[k] (i.e. V transposed), d x d row-major. */
  vectors: Float64Array | null;
}

/**
 * Eigendecomposition of a symmetric matrix by cyclic Jacobi rotations (Numerical Recipes
 * formulation). The input is symmetrised first and is not modified.
 */
export function symmetricEigen(m: SquareMatrix, computeVectors = true, maxSweeps = 100): SymEig {
  const d = m.d;
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) a[i * d + j] = 0.5 * (m.data[i * d + j] + m.data[j * d + i]);
  }
  const w = computeVectors ? new Float64Array(d * d) : null;
  if (w) for (let i = 0; i < d; i++) w[i * d + i] = 1;
  let total = 0;
  for (let i = 0; i < d * d; i++) total += a[i] * a[i];
  const tol = Math.max(total, 1e-300) * 1e-30;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off <= tol) break;
    for (let p = 0; p < d - 1; p++) {
      const op = p * d;
      for (let q = p + 1; q < d; q++) {
        const oq = q * d;
        const apq = a[op + q];
        if (apq === 0) continue;
        const app = a[op + p], aqq = a[oq + q];
        const theta = (aqq - app) / (2 * apq);
        let t = 1 / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta < 0) t = -t;
        if (!Number.isFinite(t) || Math.abs(apq) < 1e-300) { a[op + q] = 0; a[oq + p] = 0; continue; }
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          if (k === p || k === q) continue;
          const akp = a[op + k], akq = a[oq + k];
          const np = c * akp - s * akq;
          const nq = s * akp + c * akq;
          a[op + k] = np; a[k * d + p] = np;
          a[oq + k] = nq; a[k * d + q] = nq;
        }
        a[op + p] = app - t * apq;
        a[oq + q] = aqq + t * apq;
        a[op + q] = 0; a[oq + p] = 0;
        if (w) {
          for (let k = 0; k < d; k++) {
            const vp = w[op + k], vq = w[oq + k];
            w[op + k] = c * vp - s * vq;
            w[oq + k] = s * vp + c * vq;
          }
        }
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors: w };
}

/** Square root of a symmetric positive semi-definite matrix; negative eigenvalues clipped to 0. */
export function sqrtPsd(m: SquareMatrix): SquareMatrix {
  const d = m.d;
  const { values, vectors } = symmetricEigen(m, true);
  const w = vectors as Float64Array;
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const sl = Math.sqrt(Math.max(values[k], 0));
    if (sl === 0) continue;
    const ok = k * d;
    for (let i = 0; i < d; i++) {
      const wi = w[ok + i] * sl;
      if (wi === 0) continue;
      const oi = i * d;
      for (let j = 0; j < d; j++) out[oi + j] += wi * w[ok + j];
    }
  }
  return { d, data: out };
}
