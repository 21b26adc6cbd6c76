// Improved precision and recall for generative models (Kynkäänniemi et al. 2019): precision =
// share of synthetic samples inside the real k-NN manifold (realism), recall = share of real
// samples inside the synthetic k-NN manifold (coverage, low under mode collapse).

function sqDist(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const t = x[i] - y[i];
    s += t * t;
  }
  return s;
}

/** Squared distance from each row to its k-th nearest other row of the same set. */
function kthNeighbourRadii(set: Float64Array[], k: number): Float64Array {
  const n = set.length;
  const kk = Math.max(1, Math.min(k, n - 1));
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = sqDist(set[i], set[j]);
      dist[i * n + j] = v;
      dist[j * n + i] = v;
    }
  }
  const radii = new Float64Array(n);
  const row = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < n; j++) if (j !== i) row[c++] = dist[i * n + j];
    row.sort();
    radii[i] = row[kk - 1];
  }
  return radii;
}

/** Share of queries within the k-NN ball (closed) of at least one manifold sample. */
function coverage(manifold: Float64Array[], radii: Float64Array, queries: Float64Array[]): number {
  let inside = 0;
  for (const q of queries) {
    for (let i = 0; i < manifold.length; i++) {
      if (sqDist(q, manifold[i]) <= radii[i]) {
        inside++;
        break;
      }
    }
  }
  return inside / queries.length;
}

/**
 * Manifold precision/recall on feature vectors. k is clamped to [1, n-1]. O(n^2 d) time and
 * O(n^2) memory per set, so subsample to a few thousand rows.
 */
export function manifoldPrecisionRecall(
  real: Float64Array[],
  fake: Float64Array[],
  k = 3,
): { precision: number; recall: number } {
  if (real.length < 2 || fake.length < 2) throw new Error('need at least 2 real and 2 fake samples');
  if (real[0].length !== fake[0].length) throw new Error('feature dimensions differ');
  const realRadii = kthNeighbourRadii(real, k);
  const fakeRadii = kthNeighbourRadii(fake, k);
  return {
    precision: coverage(real, realRadii, fake),
    recall: coverage(fake, fakeRadii, real),
  };
}
