// Groups near-duplicate slices (Br35H ships flipped, shifted, rotated, re-exposed copies of the
// same scan) so a split can keep each group on one side and no copy leaks from train into test.
//
// Why not a 64-bit pHash: on centred, same-size heads it cannot tell distinct slices from copies
// (measured: distinct phantoms 2-4 bits apart, shifted/rotated copies up to 22). Instead each
// slice gets a real-valued perceptual descriptor: the head's silhouette fixes position, axis and
// size, the slice is resampled into that frame, and its 255 lowest DCT coefficients (no DC),
// scaled to unit length, are compared by 1 - correlation, taking the best of the 4 flips.

/**
 * Default for `maxDistance`, measured on phantoms (see tests/unit/dedupe.test.ts): the nearest
 * distinct pairs among 500 sit at 0.0044 (slices preprocessed from raw canvases) and 0.0053 (phantoms
 * as generated), so none merge; copies made on the raw image (flip, shift, +-5 degrees, zoom, tone)
 * and then preprocessed stay under 0.0021; copies of the 128 px slice stay under 0.0015 while the
 * whole head stays in the frame, but a 4 px shift that cuts the head's edge off can reach 0.0055
 * (0.5% of such pairs missed). A false merge only keeps two slices on the same side of a split,
 * while a missed copy leaks, so if in doubt raise it (0.005 merged 6 of 500 distinct slices).
 */
export const DEFAULT_MAX_DISTANCE = 0.004;

const THUMB = 64; // area-averaged thumbnail the canonical frame is sampled from
const CANON = 32; // canonical frame size fed to the DCT
const K = 16; // DCT coefficients kept per axis
const GYRATION = 0.3; // radius of gyration of the silhouette, as a fraction of the canonical frame
/** Descriptor layout: coefficients grouped by (u odd, v odd), so one pass gives all four flips. */
const ORDER: number[] = [];
const CLASS_START = [0, 0, 0, 0, 0];
for (let cls = 0; cls < 4; cls++) {
  CLASS_START[cls] = ORDER.length;
  for (let v = 0; v < K; v++) for (let u = 0; u < K; u++) if (u + v > 0 && (u % 2) + 2 * (v % 2) === cls) ORDER.push(v * K + u);
}
CLASS_START[4] = ORDER.length;
const COS = Float64Array.from({ length: K * CANON }, (_, i) => Math.cos(((2 * (i % CANON) + 1) * Math.floor(i / CANON) * Math.PI) / (2 * CANON)));

/** Area-averaged t x t thumbnail (t = min(64, size)): integer sums, one pass. */
function thumbnail(slice: Uint8Array, size: number, t: number): Float64Array {
  const bin = new Int32Array(size), per = new Int32Array(t);
  for (let x = 0; x < size; x++) { bin[x] = Math.floor((x * t) / size); per[bin[x]]++; }
  const sum = new Int32Array(t * t);
  if (size === 2 * t) {
    // The usual case (128 -> 64): plain 2x2 blocks, four times fewer writes.
    for (let y = 0; y < t; y++) for (let x = 0, i = 2 * y * size; x < t; x++, i += 2) sum[y * t + x] = slice[i] + slice[i + 1] + slice[i + size] + slice[i + size + 1];
  } else {
    for (let y = 0; y < size; y++) {
      const row = bin[y] * t, base = y * size;
      for (let x = 0; x < size; x++) sum[row + bin[x]] += slice[base + x];
    }
  }
  const out = new Float64Array(t * t);
  for (let y = 0; y < t; y++) for (let x = 0; x < t; x++) out[y * t + x] = sum[y * t + x] / (per[y] * per[x]);
  return out;
}

interface Shape { cx: number; cy: number; angle: number; gyration: number; outside: Uint8Array }

/** Centroid, major-axis angle and radius of gyration (as fractions of the side) of the head
 *  silhouette: holes filled, so only the outline counts and brightness changes inside do not move it. */
function silhouette(img: Float64Array, t: number): Shape {
  const hist = new Int32Array(256);
  for (let i = 0; i < img.length; i++) hist[(img[i] + 0.5) | 0]++; // averages of bytes: 0..255
  let p99 = 255;
  for (let v = 0, seen = 0; v < 256; v++) if ((seen += hist[v]) > 0.99 * img.length) { p99 = v; break; }
  const threshold = 0.25 * p99;
  const outside = new Uint8Array(img.length);
  const stack = new Int32Array(img.length); // each pixel is pushed at most once
  let top = 0;
  const visit = (p: number) => { if (!outside[p] && img[p] <= threshold) { outside[p] = 1; stack[top++] = p; } };
  for (let i = 0; i < t; i++) { visit(i); visit((t - 1) * t + i); visit(i * t); visit(i * t + t - 1); }
  while (top > 0) {
    const p = stack[--top], x = p % t;
    if (x > 0) visit(p - 1);
    if (x < t - 1) visit(p + 1);
    if (p >= t) visit(p - t);
    if (p < t * (t - 1)) visit(p + t);
  }
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let y = 0; y < t; y++) for (let x = 0; x < t; x++) {
    if (outside[y * t + x]) continue;
    n++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
  }
  if (n < 4) return { cx: 0.5, cy: 0.5, angle: Math.PI / 2, gyration: GYRATION, outside }; // blank slice
  const mx = sx / n, my = sy / n;
  const cxx = sxx / n - mx * mx, cyy = syy / n - my * my, cxy = sxy / n - mx * my;
  return { cx: (mx + 0.5) / t, cy: (my + 0.5) / t, angle: 0.5 * Math.atan2(2 * cxy, cxx - cyy), gyration: Math.sqrt(cxx + cyy) / t, outside };
}

/** Unit-length descriptor of one size x size slice (see the header); all zeros for a flat slice. */
export function sliceDescriptor(slice: Uint8Array, size: number): Float32Array {
  if (slice.length !== size * size) throw new RangeError(`expected ${size}x${size} pixels, got ${slice.length}`);
  const t = Math.min(THUMB, size);
  const thumb = thumbnail(slice, size, t);
  const shape = silhouette(thumb, t);
  // Background to exactly 0 (head minus the background's median level, outside the silhouette 0):
  // black rotation wedges, shift fill, noise and offsets outside the head then leave no trace.
  const bgHist = new Int32Array(256);
  let bgCount = 0;
  for (let i = 0; i < thumb.length; i++) if (shape.outside[i]) { bgHist[(thumb[i] + 0.5) | 0]++; bgCount++; }
  let bg = 0;
  for (let seen = 0; bgCount > 0 && bg < 255 && (seen += bgHist[bg]) <= bgCount / 2; bg++);
  for (let i = 0; i < thumb.length; i++) thumb[i] = shape.outside[i] ? 0 : thumb[i] - bg;
  // Canonical frame: centred on the centroid, major axis vertical, gyration radius fixed.
  const phi = shape.angle - Math.PI / 2, c = Math.cos(phi), s = Math.sin(phi);
  const step = ((t / CANON) * shape.gyration) / GYRATION, half = (CANON - 1) / 2;
  const ox = shape.cx * t - 0.5, oy = shape.cy * t - 0.5;
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < t && y < t ? thumb[y * t + x] : 0);
  const canon = new Float64Array(CANON * CANON);
  for (let y = 0; y < CANON; y++) for (let x = 0; x < CANON; x++) {
    const u = (x - half) * step, v = (y - half) * step;
    const X = ox + c * u - s * v, Y = oy + s * u + c * v;
    const x0 = Math.floor(X), y0 = Math.floor(Y), fx = X - x0, fy = Y - y0;
    canon[y * CANON + x] = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
  }
  // Separable DCT-II, low K x K block only.
  const rows = new Float64Array(CANON * K);
  for (let y = 0; y < CANON; y++) for (let u = 0; u < K; u++) {
    let acc = 0;
    for (let x = 0; x < CANON; x++) acc += canon[y * CANON + x] * COS[u * CANON + x];
    rows[y * K + u] = acc;
  }
  const coef = new Float64Array(K * K);
  for (let v = 0; v < K; v++) for (let u = 0; u < K; u++) {
    let acc = 0;
    for (let y = 0; y < CANON; y++) acc += rows[y * K + u] * COS[v * CANON + y];
    coef[v * K + u] = acc;
  }
  const out = Float32Array.from(ORDER, (i) => coef[i]);
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i] * out[i];
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** 1 - the best correlation over the 4 flips of `b`: an h-flip negates odd-u coefficients, a v-flip odd-v ones. */
export function descriptorDistance(a: Float32Array, b: Float32Array, offsetA = 0, offsetB = 0): number {
  const sums = [0, 0, 0, 0];
  for (let cls = 0; cls < 4; cls++) {
    let acc = 0;
    for (let i = CLASS_START[cls]; i < CLASS_START[cls + 1]; i++) acc += a[offsetA + i] * b[offsetB + i];
    sums[cls] = acc;
  }
  const [ee, oe, eo, oo] = sums;
  return 1 - Math.max(ee + oe + eo + oo, ee - oe + eo - oo, ee + oe - eo - oo, ee - oe - eo + oo);
}

/**
 * Union-find over all pairs within `maxDistance`. Pairs are pruned exactly: the even-even
 * coefficients do not change under any flip, so two slices whose even-even parts are further apart
 * than sqrt(2 * maxDistance) cannot match; a sort on one such coefficient plus a partial check skips
 * almost every pair. Groups are listed by their smallest index; singletons are groups too.
 */
export function groupNearDuplicates(slices: Uint8Array[], size: number, opts: { maxDistance?: number; descriptors?: Float32Array[] } = {}): { groupOf: Int32Array; groups: number[][] } {
  const maxDistance = opts.maxDistance ?? DEFAULT_MAX_DISTANCE;
  const n = slices.length, dim = ORDER.length;
  const desc = new Float32Array(n * dim);
  // An import's decode threads compute the descriptors beside each image (the same function): most
  // of this function's time, spread over the cores instead of after them.
  if (opts.descriptors && opts.descriptors.length !== n) throw new RangeError(`${opts.descriptors.length} descriptors for ${n} slices`);
  slices.forEach((slice, i) => desc.set(opts.descriptors?.[i] ?? sliceDescriptor(slice, size), i * dim));
  const radius2 = 2 * maxDistance; // |a - Fb|^2 = 2 * (1 - <a, Fb>) for unit vectors
  const radius = Math.sqrt(radius2);
  const EE = CLASS_START[1]; // even-even coefficients, the first block of the layout
  // Sort on the even-even coefficient that varies most in this set.
  let key = 0, bestVar = -1;
  for (let k = 0; k < EE; k++) {
    let m = 0, m2 = 0;
    for (let i = 0; i < n; i++) { const v = desc[i * dim + k]; m += v; m2 += v * v; }
    if (m2 / n - (m / n) ** 2 > bestVar) { bestVar = m2 / n - (m / n) ** 2; key = k; }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => desc[a * dim + key] - desc[b * dim + key] || a - b);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) i = parent[i] = parent[parent[i]]; return i; };
  for (let a = 0; a < n; a++) {
    const i = order[a], oi = i * dim, ki = desc[oi + key];
    for (let b = a + 1; b < n; b++) {
      const j = order[b], oj = j * dim;
      if (desc[oj + key] - ki > radius) break;
      let partial = 0;
      for (let k = 0; k < EE && partial <= radius2; k++) { const d = desc[oi + k] - desc[oj + k]; partial += d * d; }
      if (partial > radius2) continue;
      if (descriptorDistance(desc, desc, oi, oj) <= maxDistance) {
        const ri = find(i), rj = find(j);
        if (ri !== rj) parent[Math.max(ri, rj)] = Math.min(ri, rj);
      }
    }
  }
  const groupOf = new Int32Array(n);
  const groups: number[][] = [];
  const slot = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    let g = slot.get(root);
    if (g === undefined) { g = groups.length; slot.set(root, g); groups.push([]); }
    groupOf[i] = g;
    groups[g].push(i);
  }
  return { groupOf, groups };
}
