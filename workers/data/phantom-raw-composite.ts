// The head of a phantom slice cut out by a soft mask and composited onto its acquisition canvas.
import { GAUSS, type Rng } from './phantom-math';
import type { Layout } from './phantom-raw-layout';

/**
 * Soft mask (0..1) of the head in a phantom image: everything connected to the border below a
 * noise-derived threshold is background; the largest remaining component is the head, holes (the
 * dark bone gap, ventricles) included. A 3x3 box blur feathers the edge.
 */
function headMask(img: Uint8Array, n: number): Float32Array {
  const blur = boxBlur3(img, n);
  let sum = 0;
  let sum2 = 0;
  let count = 0;
  const hist = new Uint32Array(256);
  for (let k = 0; k < n * n; k++) hist[Math.min(255, blur[k] | 0)]++;
  for (let i = 0; i < n; i++) {
    const band = i < 2 || i >= n - 2;
    for (let j = 0; j < n; j++) {
      if (!band && j === 2) j = n - 2; // only the outer two rows and columns
      const v = blur[i * n + j];
      sum += v;
      sum2 += v * v;
      count++;
    }
  }
  const mean = sum / count;
  const sd = Math.sqrt(Math.max(0, sum2 / count - mean * mean));
  let p99 = 255;
  for (let v = 0, seen = 0; v < 256; v++) {
    seen += hist[v];
    if (seen >= 0.99 * n * n) { p99 = v; break; }
  }
  const threshold = Math.max(mean + 4 * sd, 0.06 * p99, 6);

  // Flood fill of the background from the border (4-connected, explicit stack, no closures: hot loop).
  const outside = new Uint8Array(n * n);
  const stack = new Int32Array(n * n * 4 + 4 * n);
  let top = 0;
  for (let t = 0; t < n; t++) {
    stack[top++] = t;
    stack[top++] = (n - 1) * n + t;
    stack[top++] = t * n;
    stack[top++] = t * n + n - 1;
  }
  while (top > 0) {
    const k = stack[--top];
    if (outside[k] || blur[k] >= threshold) continue;
    outside[k] = 1;
    const j = k % n;
    if (k >= n) stack[top++] = k - n;
    if (k < n * n - n) stack[top++] = k + n;
    if (j > 0) stack[top++] = k - 1;
    if (j < n - 1) stack[top++] = k + 1;
  }

  // Largest 4-connected component of the rest; isolated noise specks are dropped.
  const label = new Int32Array(n * n);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let k0 = 0; k0 < n * n; k0++) {
    if (outside[k0] || label[k0]) continue;
    next++;
    let size = 0;
    stack[top++] = k0;
    while (top > 0) {
      const k = stack[--top];
      if (outside[k] || label[k]) continue;
      label[k] = next;
      size++;
      const j = k % n;
      if (k >= n) stack[top++] = k - n;
      if (k < n * n - n) stack[top++] = k + n;
      if (j > 0) stack[top++] = k - 1;
      if (j < n - 1) stack[top++] = k + 1;
    }
    if (size > bestSize) { bestSize = size; best = next; }
  }
  const inside = new Uint8Array(n * n);
  if (best > 0) for (let k = 0; k < n * n; k++) inside[k] = label[k] === best ? 1 : 0;
  return boxBlur3(inside, n);
}

/** Mean over the 3x3 neighbourhood (clipped at the border), separable. */
function boxBlur3(img: ArrayLike<number>, n: number): Float32Array {
  const rows = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    rows[o] = (img[o] + img[o + 1]) / 2;
    for (let j = 1; j < n - 1; j++) rows[o + j] = (img[o + j - 1] + img[o + j] + img[o + j + 1]) / 3;
    rows[o + n - 1] = (img[o + n - 2] + img[o + n - 1]) / 2;
  }
  const out = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    out[j] = (rows[j] + rows[n + j]) / 2;
    out[(n - 1) * n + j] = (rows[(n - 2) * n + j] + rows[(n - 1) * n + j]) / 2;
  }
  for (let i = 1; i < n - 1; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[o + j] = (rows[o - n + j] + rows[o + j] + rows[o + n + j]) / 3;
  }
  return out;
}

export interface Box { x0: number; y0: number; x1: number; y1: number }

/**
 * Composites the (windowed) phantom onto the background through its head mask with rotation,
 * flip, scale and offset. Returns the grey canvas and the bounding box of the head in it.
 */
export function composite(layout: Layout, phantom: Uint8Array, rng: Rng): { grey: Float32Array; head: Box } {
  const { width, height, phantomSize: n, side, angle, flip, cx, cy, background, backgroundNoise, window } = layout;
  const alpha = headMask(phantom, n);
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) {
    const t = Math.min(1, Math.max(0, (v - window.lo) / (window.hi - window.lo)));
    lut[v] = 255 * Math.pow(t, window.gamma);
  }
  // Alpha and alpha-premultiplied value, padded with a zero border so bilinear taps need no bounds checks.
  const m = n + 2;
  const pa = new Float32Array(m * m);
  const ps = new Float32Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = alpha[i * n + j];
      pa[(i + 1) * m + j + 1] = a;
      ps[(i + 1) * m + j + 1] = a * lut[phantom[i * n + j]];
    }
  }

  const grey = new Float32Array(width * height);
  if (backgroundNoise > 0) {
    for (let k = 0; k < grey.length; k++) grey[k] = background + backgroundNoise * GAUSS[rng.uint32() & 0xfff];
  } else {
    grey.fill(background);
  }

  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const scale = n / side; // phantom pixels per canvas pixel
  const flipSign = flip ? -1 : 1;
  const half = (side * (Math.abs(cos) + Math.abs(sin))) / 2 + 2;
  const xs = Math.max(0, Math.floor(cx - half));
  const xe = Math.min(width - 1, Math.ceil(cx + half));
  const ys = Math.max(0, Math.floor(cy - half));
  const ye = Math.min(height - 1, Math.ceil(cy + half));
  const head: Box = { x0: width, y0: height, x1: -1, y1: -1 };
  for (let y = ys; y <= ye; y++) {
    const dy = y + 0.5 - cy;
    for (let x = xs; x <= xe; x++) {
      const dx = x + 0.5 - cx;
      // Phantom coordinates, shifted by +1 for the padding.
      const pu = flipSign * (dx * cos + dy * sin) * scale + n / 2 + 0.5;
      const pv = (-dx * sin + dy * cos) * scale + n / 2 + 0.5;
      if (!(pu >= 0 && pv >= 0 && pu < m - 1 && pv < m - 1)) continue;
      const j0 = pu | 0;
      const i0 = pv | 0;
      const fx = pu - j0;
      const fy = pv - i0;
      const k = i0 * m + j0;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const a = w00 * pa[k] + w01 * pa[k + 1] + w10 * pa[k + m] + w11 * pa[k + m + 1];
      if (a < 0.002) continue;
      const s = w00 * ps[k] + w01 * ps[k + 1] + w10 * ps[k + m] + w11 * ps[k + m + 1];
      const o = y * width + x;
      grey[o] = s + grey[o] * (1 - a); // s is premultiplied by alpha
      if (a > 0.05) {
        if (x < head.x0) head.x0 = x;
        if (x > head.x1) head.x1 = x;
        if (y < head.y0) head.y0 = y;
        if (y > head.y1) head.y1 = y;
      }
    }
  }
  return { grey, head };
}
