// Paper section 5.1 preprocessing: find the head's bounding box, move the head onto one black
// background shared by all images in a square keeping its aspect ratio, and resize it.
import sharp from 'sharp';

/** Inclusive-exclusive pixel box: columns x0..x1-1, rows y0..y1-1. */
export interface Box { x0: number; y0: number; x1: number; y1: number }

/** Analysis runs on a copy whose longer side is at most this: fast, and averaging removes noise. */
const WORK_SIDE = 256;

interface Analysis {
  box: Box; // in input pixels
  ox: number; oy: number; // the analysed region's corner in the input (non-zero after a nested pass)
  factor: number; ww: number; // one working pixel = factor x factor input pixels; working width
  threshold: number; // foreground = this far from the background level
  head: Uint8Array | null; // working-resolution head mask, 2 = inside, 1 = rim (decided per input pixel), 0 = out; null if blank
  plane: [number, number, number]; // background level a + b*x + c*y, in working pixels
  ring: Float32Array; // residuals of the border samples the background was fitted to
}

interface Component { area: number; core: number; box: Box }

/** Robust background plane from the border band: least squares, refitted without outliers, so a graded
 *  background is modelled and a corner label, a ruler or a head touching an edge does not drag it.
 *  Returns the band's residuals and their robust sigma (median absolute deviation) too. */
function fitBackground(img: Float32Array, w: number, h: number): { plane: [number, number, number]; sigma: number; ring: Float32Array } {
  const band = Math.max(1, Math.round(Math.min(w, h) * 0.03));
  const idx: number[] = [];
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (x < band || y < band || x >= w - band || y >= h - band) idx.push(y * w + x);
  const xs = Float32Array.from(idx, (i) => i % w), ys = Float32Array.from(idx, (i) => Math.floor(i / w)), vs = Float32Array.from(idx, (i) => img[i]);
  const ring = new Float32Array(idx.length);
  let plane: [number, number, number] = [percentileAbs(vs, 0.5), 0, 0];
  let sigma = 0;
  const det3 = (m: number[]) => m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  for (let iter = 0; iter <= 4; iter++) {
    for (let i = 0; i < ring.length; i++) ring[i] = vs[i] - (plane[0] + plane[1] * xs[i] + plane[2] * ys[i]);
    sigma = 1.4826 * percentileAbs(ring, 0.5);
    if (iter === 4) break;
    // Normal equations of v ~ a + b x + c y over the inliers, solved by Cramer's rule.
    const s = new Float64Array(9); // n, x, y, xx, xy, yy, v, xv, yv
    for (let i = 0; i < ring.length; i++) {
      if (Math.abs(ring[i]) > Math.max(3 * sigma, 2)) continue;
      const x = xs[i], y = ys[i], v = vs[i];
      s[0]++; s[1] += x; s[2] += y; s[3] += x * x; s[4] += x * y; s[5] += y * y; s[6] += v; s[7] += x * v; s[8] += y * v;
    }
    const d = det3([s[0], s[1], s[2], s[1], s[3], s[4], s[2], s[4], s[5]]);
    if (s[0] < 3 || Math.abs(d) < 1e-9) break;
    plane = [
      det3([s[6], s[1], s[2], s[7], s[3], s[4], s[8], s[4], s[5]]) / d,
      det3([s[0], s[6], s[2], s[1], s[7], s[4], s[2], s[8], s[5]]) / d,
      det3([s[0], s[1], s[6], s[1], s[3], s[7], s[2], s[4], s[8]]) / d,
    ];
  }
  return { plane, sigma, ring };
}

/** q-quantile of |values| (values within +-256) from a 1/16-level histogram: a sort is much slower. */
function percentileAbs(values: Float32Array, q: number): number {
  const bins = new Int32Array(4097);
  for (let i = 0; i < values.length; i++) bins[Math.min(4096, Math.floor(Math.abs(values[i]) * 16))]++;
  let seen = 0;
  for (let b = 0; b < bins.length; b++) if ((seen += bins[b]) > q * (values.length - 1)) return b / 16;
  return 256;
}

/** Area-average downsample by an integer factor, then a 3x3 box blur against pixel noise. */
function workingImage(gray: Uint8Array, width: number, height: number, f: number, ww: number, wh: number): Float32Array {
  const sum = new Float32Array(ww * wh), count = new Float32Array(ww * wh);
  const col = Int32Array.from({ length: width }, (_, x) => Math.floor(x / f));
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / f) * ww;
    for (let x = 0; x < width; x++) { sum[row + col[x]] += gray[y * width + x]; count[row + col[x]]++; }
  }
  const img = sum.map((s, i) => s / count[i]);
  const out = new Float32Array(ww * wh);
  for (let y = 0; y < wh; y++) for (let x = 0; x < ww; x++) {
    let s = 0, c = 0;
    for (let yy = Math.max(0, y - 1); yy <= Math.min(wh - 1, y + 1); yy++) for (let xx = Math.max(0, x - 1); xx <= Math.min(ww - 1, x + 1); xx++) { s += img[yy * ww + xx]; c++; }
    out[y * ww + x] = s / c;
  }
  return out;
}

/** 8-connected components of `mask`; `core` counts pixels whose (2k+1)^2 window is all foreground,
 *  i.e. what survives a morphological opening: thin rulers, text strokes and noise have none. */
function components(mask: Uint8Array, w: number, h: number, k: number): { label: Int32Array; comps: Component[] } {
  const integral = new Int32Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    integral[(y + 1) * (w + 1) + x + 1] = mask[y * w + x] + integral[y * (w + 1) + x + 1] + integral[(y + 1) * (w + 1) + x] - integral[y * (w + 1) + x];
  }
  const full = (2 * k + 1) ** 2;
  const isCore = (x: number, y: number) => x >= k && y >= k && x + k < w && y + k < h &&
    integral[(y + k + 1) * (w + 1) + x + k + 1] - integral[(y - k) * (w + 1) + x + k + 1] - integral[(y + k + 1) * (w + 1) + x - k] + integral[(y - k) * (w + 1) + x - k] === full;
  const label = new Int32Array(w * h).fill(-1);
  const comps: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || label[start] >= 0) continue;
    const c: Component = { area: 0, core: 0, box: { x0: w, y0: h, x1: 0, y1: 0 } };
    label[start] = comps.length;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!, x = p % w, y = (p - x) / w;
      c.area++;
      if (isCore(x, y)) c.core++;
      const b = c.box;
      b.x0 = Math.min(b.x0, x); b.y0 = Math.min(b.y0, y); b.x1 = Math.max(b.x1, x + 1); b.y1 = Math.max(b.y1, y + 1);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy, q = yy * w + xx;
        if (xx >= 0 && yy >= 0 && xx < w && yy < h && mask[q] && label[q] < 0) { label[q] = comps.length; stack.push(q); }
      }
    }
    comps.push(c);
  }
  return { label, comps };
}

/**
 * Some exports letterbox a black-background scan inside a grey frame: the first pass then finds
 * the frame's dark inner rectangle. If that rectangle's own border is a flat background at another
 * level, the head is searched again inside it (a tight crop's border is the same background, or head).
 */
function analyse(gray: Uint8Array, width: number, height: number): Analysis {
  if (gray.length !== width * height || width < 1 || height < 1) throw new RangeError(`expected ${width}x${height} pixels, got ${gray.length}`);
  let best = analyseRegion(gray, width, height, { x0: 0, y0: 0, x1: width, y1: height });
  for (let pass = 0; pass < 2 && best.head; pass++) {
    // Inset past the margin and blur that carried the frame's own edge into the box.
    const inset = 3 * best.factor, b = best.box;
    if (b.x1 - b.x0 <= 4 * inset || b.y1 - b.y0 <= 4 * inset) break;
    const inner = analyseRegion(gray, width, height, { x0: b.x0 + inset, y0: b.y0 + inset, x1: b.x1 - inset, y1: b.y1 - inset });
    if (!inner.head || inner.ring.length === 0) break;
    const cx = (best.box.x0 + best.box.x1) / 2, cy = (best.box.y0 + best.box.y1) / 2;
    const level = (a: Analysis) => a.plane[0] + a.plane[1] * ((cx - a.ox) / a.factor) + a.plane[2] * ((cy - a.oy) / a.factor);
    const flat = inner.ring.filter((r) => Math.abs(r) <= best.threshold).length / inner.ring.length;
    if (Math.abs(level(inner) - level(best)) <= best.threshold || flat < 0.7) break;
    best = inner;
  }
  return best;
}

function analyseRegion(source: Uint8Array, sourceWidth: number, sourceHeight: number, region: Box): Analysis {
  const width = region.x1 - region.x0, height = region.y1 - region.y0;
  let gray = source;
  if (width !== sourceWidth || height !== sourceHeight) {
    gray = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) gray.set(source.subarray((region.y0 + y) * sourceWidth + region.x0, (region.y0 + y) * sourceWidth + region.x1), y * width);
  }
  const f = Math.max(1, Math.ceil(Math.max(width, height) / WORK_SIDE));
  const ww = Math.ceil(width / f), wh = Math.ceil(height / f);
  const img = workingImage(gray, width, height, f, ww, wh);
  const { plane, sigma, ring } = fitBackground(img, ww, wh);
  const res = new Float32Array(ww * wh);
  for (let y = 0; y < wh; y++) for (let x = 0; x < ww; x++) res[y * ww + x] = img[y * ww + x] - (plane[0] + plane[1] * x + plane[2] * y);
  // Foreground = far enough from the background (either way: dark bone next to a grey background
  // counts too): 5 noise sigmas, but at least 15% of the contrast (so a dim flat plateau, e.g. noise
  // next to black rotation fill, stays background) and 6 grey levels.
  const contrast = percentileAbs(res, 0.99);
  const threshold = Math.max(5 * sigma, 0.15 * contrast, 6);
  const mask = new Uint8Array(ww * wh);
  for (let i = 0; i < mask.length; i++) mask[i] = Math.abs(res[i]) > threshold ? 1 : 0;
  const { label, comps } = components(mask, ww, wh, Math.max(1, Math.round(Math.max(ww, wh) / 128)));
  const { x0: ox, y0: oy } = region;
  const full: Analysis = { box: { ...region }, ox, oy, factor: f, ww, threshold, head: null, plane, ring };
  let main = -1;
  comps.forEach((c, i) => { if (c.core > 0 && (main < 0 || c.core > comps[main].core)) main = i; });
  if (main < 0) return full; // blank, or only thin lines / specks: keep the whole frame

  // Grow from the largest solid component: add a ring around it (a scalp split off by dark bone)
  // and solid fragments within a small gap of the kept pixels. Labels, markers and rulers elsewhere,
  // even inside the box's corners, stay out; pieces enclosed by the head return with the hole filling.
  const keep = new Uint8Array(comps.length);
  keep[main] = 1;
  let box = { ...comps[main].box };
  const gapLimit = Math.round(0.03 * Math.max(ww, wh));
  for (let changed = true; changed;) {
    changed = false;
    const dist = distanceToKept(label, keep, ww, wh);
    const near = new Float64Array(comps.length).fill(Infinity);
    for (let i = 0; i < label.length; i++) if (label[i] >= 0) near[label[i]] = Math.min(near[label[i]], dist[i]);
    comps.forEach((c, i) => {
      const b = c.box;
      const around = b.x0 <= box.x0 && b.y0 <= box.y0 && b.x1 >= box.x1 && b.y1 >= box.y1;
      if (keep[i] || c.area < 8 || !(around || (c.core >= 0.02 * comps[main].core && near[i] <= gapLimit))) return;
      keep[i] = 1;
      box = { x0: Math.min(box.x0, b.x0), y0: Math.min(box.y0, b.y0), x1: Math.max(box.x1, b.x1), y1: Math.max(box.y1, b.y1) };
      changed = true;
    });
  }
  const head = headMask(label, keep, ww, wh);
  // One working pixel of margin: the threshold misses the faint partial-volume rim of the head.
  const m = 1;
  return {
    ...full,
    head,
    box: {
      x0: ox + Math.max(0, (box.x0 - m) * f), y0: oy + Math.max(0, (box.y0 - m) * f),
      x1: ox + Math.min(width, (box.x1 + m) * f), y1: oy + Math.min(height, (box.y1 + m) * f),
    },
  };
}

/** Chessboard distance of every working pixel to the nearest pixel of a kept component (two passes).
 *  Written out with the neighbours inlined: a helper call per neighbour made this a quarter of an
 *  import's CPU time (profiled on 600 demo JPEGs); the result is the same. */
function distanceToKept(label: Int32Array, keep: Uint8Array, w: number, h: number): Int32Array {
  const far = w + h;
  const d = new Int32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = label[i] >= 0 && keep[label[i]] ? 0 : far;
  // Forward: left, up-left, up, up-right.
  for (let y = 0; y < h; y++) {
    const row = y * w, up = row - w;
    for (let x = 0; x < w; x++) {
      let v = d[row + x];
      if (x > 0 && d[row + x - 1] + 1 < v) v = d[row + x - 1] + 1;
      if (y > 0) {
        if (x > 0 && d[up + x - 1] + 1 < v) v = d[up + x - 1] + 1;
        if (d[up + x] + 1 < v) v = d[up + x] + 1;
        if (x < w - 1 && d[up + x + 1] + 1 < v) v = d[up + x + 1] + 1;
      }
      d[row + x] = v;
    }
  }
  // Backward: right, down-right, down, down-left.
  for (let y = h - 1; y >= 0; y--) {
    const row = y * w, down = row + w;
    for (let x = w - 1; x >= 0; x--) {
      let v = d[row + x];
      if (x < w - 1 && d[row + x + 1] + 1 < v) v = d[row + x + 1] + 1;
      if (y < h - 1) {
        if (x < w - 1 && d[down + x + 1] + 1 < v) v = d[down + x + 1] + 1;
        if (d[down + x] + 1 < v) v = d[down + x] + 1;
        if (x > 0 && d[down + x - 1] + 1 < v) v = d[down + x - 1] + 1;
      }
      d[row + x] = v;
    }
  }
  return d;
}

/** Kept components with their holes filled (dark ventricles, bone): 2 where the whole 3x3 neighbourhood
 *  is head, 1 on the one-pixel rim around it, where the blur and the coarse grid leave it undecided. */
function headMask(label: Int32Array, keep: Uint8Array, w: number, h: number): Uint8Array {
  const outside = new Uint8Array(w * h);
  const stack: number[] = [];
  const visit = (p: number) => { if (!outside[p] && !(label[p] >= 0 && keep[label[p]])) { outside[p] = 1; stack.push(p); } };
  for (let x = 0; x < w; x++) { visit(x); visit((h - 1) * w + x); }
  for (let y = 0; y < h; y++) { visit(y * w); visit(y * w + w - 1); }
  while (stack.length) {
    const p = stack.pop()!, x = p % w;
    if (x > 0) visit(p - 1);
    if (x < w - 1) visit(p + 1);
    if (p >= w) visit(p - w);
    if (p < w * (h - 1)) visit(p + w);
  }
  const head = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let inHead = 0, n = 0;
    for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) {
      n++;
      if (!outside[yy * w + xx]) inHead++;
    }
    head[y * w + x] = inHead === n ? 2 : inHead > 0 ? 1 : 0;
  }
  return head;
}

/** Bounding box of the head, ignoring the background (black, grey, noisy or graded) and small
 *  burned-in text, rulers or markers; the whole frame for a blank image. */
export function findBrainBox(gray: Uint8Array, width: number, height: number): Box {
  return analyse(gray, width, height).box;
}

/**
 * Crops the head's box, sets everything that is not head (background, labels, markers) to the
 * shared black background, centres the crop in a square canvas whose side is the box's longer
 * side, and resizes to size x size (Lanczos). Head intensities are left as they are. A blank image
 * is kept whole and unchanged, so a failed detection stays visible. Returns uint8, row-major.
 */
export async function preprocessSlice(gray: Uint8Array, width: number, height: number, size: number): Promise<Uint8Array> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  const { box, ox, oy, factor: f, ww, head, plane, threshold } = analyse(gray, width, height);
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0, side = Math.max(bw, bh);
  const px = Math.floor((side - bw) / 2), py = Math.floor((side - bh) / 2); // centring offsets
  const canvas = new Uint8Array(side * side); // zero = the shared background
  for (let y = box.y0; y < box.y1; y++) {
    const wy = Math.floor((y - oy) / f);
    for (let x = box.x0; x < box.x1; x++) {
      const where = head ? head[wy * ww + Math.floor((x - ox) / f)] : 2;
      if (where === 0) continue;
      if (where === 1) {
        // Rim: decide at full resolution (3x3 mean against the background plane), so the head's
        // outline is pixel-accurate instead of following the coarse working grid.
        let sum = 0, n = 0;
        for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) for (let xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) { sum += gray[yy * width + xx]; n++; }
        const level = plane[0] + plane[1] * ((x - ox + 0.5) / f - 0.5) + plane[2] * ((y - oy + 0.5) / f - 0.5);
        if (Math.abs(sum / n - level) <= threshold) continue;
      }
      canvas[(py + y - box.y0) * side + px + x - box.x0] = gray[y * width + x];
    }
  }
  if (side === size) return canvas;
  const out = await sharp(canvas, { raw: { width: side, height: side, channels: 1 } })
    .resize(size, size, { kernel: 'lanczos3', fit: 'fill' })
    .greyscale() // a one-channel raw input would otherwise come back as sRGB
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (out.info.channels !== 1) throw new Error(`resize returned ${out.info.channels} channels, expected 1`);
  return new Uint8Array(out.data); // a copy, detached from sharp's buffer
}
