// Memorisation and mode-collapse checks for synthetic images in pixel space: distance of each
// synthetic image to its closest real training image, compared with real held-out images (the
// privacy check the paper motivates but never runs), plus a within-set collapse rule.
import { createRng } from '../../lib/rng';
import type { MemorizationReport, ModeCollapseReport } from '../../lib/contracts/quality';

export type PixelImage = Float32Array | Uint8Array;
export interface NearestOptions {
  /** Average-pool by this factor before measuring (default 1 = full resolution). */
  downsample?: number;
  /** With queries === references: ignore each query's own index (NaN / -1 if nothing is left). */
  excludeSelf?: boolean;
}

/** f x f block means (trailing pixels that do not fill a block are dropped). */
function pool(img: ArrayLike<number>, side: number, f: number): Float64Array {
  const m = Math.floor(side / f);
  const out = new Float64Array(m * m);
  const inv = 1 / (f * f);
  for (let y = 0; y < m * f; y++) {
    const row = y * side, oy = Math.floor(y / f) * m;
    for (let x = 0; x < m * f; x++) out[oy + Math.floor(x / f)] += img[row + x];
  }
  for (let i = 0; i < out.length; i++) out[i] *= inv;
  return out;
}

function sideOf(img: PixelImage): number {
  const s = Math.round(Math.sqrt(img.length));
  if (s * s !== img.length) throw new Error('images must be square');
  return s;
}

/** Squared L2 distance, abandoned (returns >= limit) once the partial sum reaches limit. */
function sqDistBounded(a: Float32Array, b: Float32Array, limit: number): number {
  let s = 0;
  for (let start = 0; start < a.length; start += 256) {
    const end = Math.min(a.length, start + 256);
    for (let i = start; i < end; i++) { const d = a[i] - b[i]; s += d * d; }
    if (s >= limit) return s;
  }
  return s;
}

/** Block means plus the norm of what they leave out (the image minus its block means, where a
 * pixel outside any full block keeps its value): p ||pool a - pool b||^2 + (res a - res b)^2 <= ||a - b||^2. */
interface Summary { pooled: Float64Array; residual: number }

function summarise(img: Float32Array, side: number, c: number): Summary {
  const pooled = pool(img, side, c);
  const m = Math.floor(side / c);
  let res = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const inBlock = y < m * c && x < m * c;
      const t = img[y * side + x] - (inBlock ? pooled[Math.floor(y / c) * m + Math.floor(x / c)] : 0);
      res += t * t;
    }
  }
  return { pooled, residual: Math.sqrt(res) };
}

/** Lower bound of the squared distance from two summaries; stops early once it reaches limit. */
function lowerBound(a: Summary, b: Summary, blockPixels: number, limit: number): number {
  const r = a.residual - b.residual;
  let s = r * r;
  const pa = a.pooled, pb = b.pooled;
  for (let k = 0; k < pa.length; k++) {
    const t = pa[k] - pb[k];
    s += blockPixels * t * t;
    if ((k & 15) === 15 && s >= limit) return s;
  }
  return s;
}

/**
 * Exact nearest reference (L2, in the images' own units) for every query. Speed comes from
 * pruning, not approximation: block means over c x c blocks are an orthogonal projection, so
 * c^2 ||pool(a) - pool(b)||^2 + (||res a|| - ||res b||)^2 <= ||a - b||^2. References are rejected
 * on 8x8 then 32x32 summaries, the rest by early exit of the partial sum.
 */
export function nearestDistances(
  queries: PixelImage[],
  references: PixelImage[],
  opts: NearestOptions = {},
): { distance: Float64Array; index: Int32Array } {
  if (references.length === 0) throw new Error('need at least one reference image');
  const f = Math.max(1, Math.floor(opts.downsample ?? 1));
  const prep = (img: PixelImage) => Float32Array.from(f > 1 ? pool(img, sideOf(img), f) : img);
  const q = queries.map(prep);
  const r = queries === references && f === 1 ? q : references.map(prep);
  const side = sideOf(r[0]);
  for (const img of [...q, ...r]) if (img.length !== side * side) throw new Error('images differ in size');
  // Grids of 8x8 and 32x32 block means (1-pixel blocks would be exact: skipped).
  const blocks = [8, 32].map((g) => Math.max(1, Math.floor(side / g))).filter((c, k, all) => c > 1 && all.indexOf(c) === k);
  if (blocks.length === 0) blocks.push(1);
  const slack = 1 - 1e-6; // rounding margin so bounds never exceed the true distance
  const qs = blocks.map((c) => q.map((img) => summarise(img, side, c)));
  const rs = blocks.map((c) => r.map((img) => summarise(img, side, c)));
  // Put the most variable block means first so that early exit in lowerBound happens sooner.
  for (let l = 0; l < blocks.length; l++) {
    const rows = rs[l].map((x) => x.pooled), len = rows[0].length;
    const spread = Float64Array.from({ length: len }, (_, k) => {
      let m = 0, m2 = 0;
      for (const row of rows) { m += row[k]; m2 += row[k] * row[k]; }
      return m2 / rows.length - (m / rows.length) ** 2;
    });
    const perm = Array.from({ length: len }, (_, k) => k).sort((x, y) => spread[y] - spread[x]);
    for (const sm of [...qs[l], ...rs[l]]) sm.pooled = Float64Array.from(perm, (k) => sm.pooled[k]);
  }
  const nr = r.length;
  const lower = new Float64Array(nr);
  const distance = new Float64Array(q.length);
  const index = new Int32Array(q.length).fill(-1);
  for (let i = 0; i < q.length; i++) {
    let bestLb = Infinity, start = -1;
    for (let j = 0; j < nr; j++) {
      if (opts.excludeSelf && j === i) { lower[j] = Infinity; continue; }
      lower[j] = lowerBound(qs[0][i], rs[0][j], blocks[0] * blocks[0], Infinity) * slack;
      if (lower[j] < bestLb) { bestLb = lower[j]; start = j; }
    }
    if (start < 0) { distance[i] = NaN; continue; }
    let best = sqDistBounded(q[i], r[start], Infinity), bestJ = start;
    for (let j = 0; j < nr; j++) {
      if (j === start || lower[j] >= best) continue;
      let pruned = false;
      for (let l = 1; l < blocks.length && !pruned; l++) {
        pruned = lowerBound(qs[l][i], rs[l][j], blocks[l] * blocks[l], best) * slack >= best;
      }
      if (pruned) continue;
      const dist = sqDistBounded(q[i], r[j], best);
      if (dist < best) { best = dist; bestJ = j; }
    }
    distance[i] = Math.sqrt(best);
    index[i] = bestJ;
  }
  return { distance, index };
}

/** Linearly interpolated quantile (p in [0,1]) of finite values. */
export function quantile(values: ArrayLike<number>, p: number): number {
  const v = Float64Array.from(values).filter((x) => Number.isFinite(x)).sort();
  if (v.length === 0) return NaN;
  const pos = p * (v.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export interface MemorizationOptions extends NearestOptions {
  closestPairs?: number;
  /** A synthetic image is a near-exact copy if closer to train than this x median(held-out->train). Default 0.25. */
  nearCopyFactor?: number;
  /** copyingLikely if more than this share of synthetic images are near-exact copies. Default 0.05. */
  maxNearCopyShare?: number;
}

/**
 * Held-out real images set the scale of "how close an independent image gets to the training
 * set". copyingLikely = ratio < 0.5 or nearCopyShare > maxNearCopyShare.
 */
export function memorizationReport(
  synthetic: PixelImage[],
  realTrain: PixelImage[],
  realHeldOut: PixelImage[],
  opts: MemorizationOptions = {},
): MemorizationReport {
  const { closestPairs = 12, nearCopyFactor = 0.25, maxNearCopyShare = 0.05 } = opts;
  const nearOpts = { downsample: opts.downsample };
  const s2t = nearestDistances(synthetic, realTrain, nearOpts);
  const h2t = nearestDistances(realHeldOut, realTrain, nearOpts);
  const syntheticToTrain = { median: quantile(s2t.distance, 0.5), p5: quantile(s2t.distance, 0.05) };
  const heldOutToTrain = { median: quantile(h2t.distance, 0.5), p5: quantile(h2t.distance, 0.05) };
  const memorizationRatio = heldOutToTrain.median > 0 ? syntheticToTrain.median / heldOutToTrain.median : NaN;
  const threshold = nearCopyFactor * heldOutToTrain.median;
  const nearCopyShare = synthetic.length ? s2t.distance.filter((d) => d <= threshold).length / synthetic.length : 0;
  const order = Array.from(s2t.distance.keys()).sort((x, y) => s2t.distance[x] - s2t.distance[y]);
  const closest = order.slice(0, closestPairs).map((i) => ({ syntheticIndex: i, trainIndex: s2t.index[i], distance: s2t.distance[i] }));
  const copyingLikely = memorizationRatio < 0.5 || nearCopyShare > maxNearCopyShare;
  return { syntheticToTrain, heldOutToTrain, memorizationRatio, nearCopyShare, copyingLikely, closest };
}

/** Mean L2 distance over up to `pairs` random distinct pairs (all pairs for small sets). */
export function meanPairwiseDistance(images: PixelImage[], pairs = 2000, seed = 0): number {
  const n = images.length;
  if (n < 2) return 0;
  const imgs = images.map((img) => Float32Array.from(img));
  const dist = (i: number, j: number) => Math.sqrt(sqDistBounded(imgs[i], imgs[j], Infinity));
  let sum = 0, count = 0;
  if ((n * (n - 1)) / 2 <= pairs) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { sum += dist(i, j); count++; }
  } else {
    const rand = createRng(seed);
    while (count < pairs) {
      const i = Math.floor(rand() * n), j = Math.floor(rand() * n);
      if (i !== j) { sum += dist(i, j); count++; }
    }
  }
  return sum / count;
}

/**
 * Rule: collapse is likely if more than 25% of synthetic images are (near-)duplicates of another
 * synthetic image (nearest other within 0.1 x the set's mean pairwise distance, so an all-identical
 * set counts fully), or, when real images of the same class are given, if the synthetic mean
 * pairwise distance is below half of the real one.
 */
export function modeCollapseReport(synthetic: PixelImage[], real?: PixelImage[]): ModeCollapseReport {
  const syntheticSpread = meanPairwiseDistance(synthetic);
  const realSpread = real && real.length > 1 ? meanPairwiseDistance(real) : null;
  let duplicateShare = 0;
  if (synthetic.length > 1) {
    const nn = nearestDistances(synthetic, synthetic, { excludeSelf: true });
    duplicateShare = nn.distance.filter((d) => d <= 0.1 * syntheticSpread).length / synthetic.length;
  }
  const likely = duplicateShare > 0.25 || (realSpread !== null && syntheticSpread < 0.5 * realSpread);
  return { likely, syntheticSpread, realSpread, duplicateShare };
}

export function modeCollapseLikely(synthetic: PixelImage[], real?: PixelImage[]): boolean {
  return modeCollapseReport(synthetic, real).likely;
}
