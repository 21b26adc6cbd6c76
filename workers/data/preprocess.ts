// Paper section 5.1 preprocessing: find the head's bounding box, move the head onto one black
// background shared by all images in a square keeping its aspect ratio, and resize it.
import sharp from 'sharp';
import { type Box, components, distanceToKept, headMask } from './preprocess-regions';

export type { Box };

/** Analysis runs on a copy whose longer side is at most this: fast, and averaging removes noise. */
const WORK_SIDE = 256;

/** A region's background fit on the working grid: enough to compare it with another region's. */
interface Fit {
  region: Box; // in input pixels
  ox: number; oy: number; // the analysed region's corner in the input (non-zero after a nested pass)
  factor: number; ww: number; wh: number; // one working pixel = factor x factor input pixels; working size
  plane: [number, number, number]; // background level a + b*x + c*y, in working pixels
  sigma: number; // robust noise level of the background
  ring: Float32Array; // residuals of the border samples the background was fitted to
  img: Float32Array; // the working image, or only its border band (the rest 0) when bandOnly
  bandOnly: boolean;
}

/** Working pixels that stand out from the fitted background. */
interface Foreground {
  threshold: number; // foreground = this far from the background level
  mask: Uint8Array;
}

interface Analysis extends Fit, Foreground {
  box: Box; // the head's, in input pixels
  head: Uint8Array | null; // working-resolution head mask, 2 = inside, 1 = rim (decided per input pixel), 0 = out; null if blank
}

/** Robust background plane from the border band: least squares, refitted without outliers, so a graded
 *  background is modelled and a corner label, a ruler or a head touching an edge does not drag it.
 *  Returns the band's residuals and their robust sigma (median absolute deviation) too. */
function fitBackground(img: Float32Array, w: number, h: number): { plane: [number, number, number]; sigma: number; ring: Float32Array } {
  const band = bandWidth(w, h);
  // The band's pixels in row order: whole rows at the top and bottom, both ends of the rows between.
  const n = w * h - Math.max(0, w - 2 * band) * Math.max(0, h - 2 * band);
  const xs = new Float32Array(n), ys = new Float32Array(n), vs = new Float32Array(n);
  let k = 0;
  for (let y = 0; y < h; y++) {
    const inner = y >= band && y < h - band, left = inner ? Math.min(band, w) : w, right = inner ? Math.max(band, w - band) : w;
    for (let x = 0; x < left; x++) { xs[k] = x; ys[k] = y; vs[k++] = img[y * w + x]; }
    for (let x = right; x < w; x++) { xs[k] = x; ys[k] = y; vs[k++] = img[y * w + x]; }
  }
  const ring = new Float32Array(n);
  let plane: [number, number, number] = [percentileAbs(vs, 0.5), 0, 0];
  let sigma = 0;
  const det3 = (m: number[]) => m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
  for (let iter = 0; iter <= 4; iter++) {
    for (let i = 0; i < ring.length; i++) ring[i] = vs[i] - (plane[0] + plane[1] * xs[i] + plane[2] * ys[i]);
    sigma = 1.4826 * percentileAbs(ring, 0.5);
    if (iter === 4) break;
    // Normal equations of v ~ a + b x + c y over the inliers, solved by Cramer's rule.
    const s = new Float64Array(9); // n, x, y, xx, xy, yy, v, xv, yv
    const outlier = Math.max(3 * sigma, 2);
    for (let i = 0; i < ring.length; i++) {
      if (Math.abs(ring[i]) > outlier) continue;
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

/** Width of the border band the background is fitted to, in working pixels. */
function bandWidth(w: number, h: number): number {
  return Math.max(1, Math.round(Math.min(w, h) * 0.03));
}

/** q-quantile of |values| (values within +-256) from a 1/16-level histogram: a sort is much slower. */
function percentileAbs(values: Float32Array, q: number): number {
  const bins = new Int32Array(4097);
  for (let i = 0; i < values.length; i++) bins[Math.min(4096, Math.floor(Math.abs(values[i]) * 16))]++;
  let seen = 0;
  for (let b = 0; b < bins.length; b++) if ((seen += bins[b]) > q * (values.length - 1)) return b / 16;
  return 256;
}

/** Area-average downsample by an integer factor of `region` of the source, then a 3x3 box blur
 *  against pixel noise; only the working pixels within `edge` of the border when given (the
 *  others stay 0). A cell's sum is accumulated per row segment in integers: the same float32
 *  value as pixel by pixel while every partial sum is below 2^24 (cells under 65,793 pixels, i.e.
 *  any image whose sides are at most 65,536 px). */
function workingImage(source: Uint8Array, stride: number, region: Box, f: number, ww: number, wh: number, edge = Infinity): Float32Array {
  const width = region.x1 - region.x0, height = region.y1 - region.y0;
  // Columns wanted in working row cy, within e of the border: [0, left) and [right, ww).
  const left = (cy: number, e: number) => (cy < e || cy >= wh - e ? ww : Math.min(e, ww));
  const right = (cy: number, e: number) => (cy < e || cy >= wh - e ? ww : Math.max(e, ww - e));
  const sum = new Float32Array(ww * wh), img = new Float32Array(ww * wh), out = new Float32Array(ww * wh);
  for (let y = 0; y < height; y++) {
    const cy = Math.floor(y / f), row = cy * ww, base = (region.y0 + y) * stride + region.x0;
    const l = left(cy, edge + 1), r = right(cy, edge + 1);
    for (let cx = 0; cx < ww; cx = cx + 1 === l ? r : cx + 1) {
      const end = base + Math.min(width, cx * f + f);
      let s = 0;
      for (let p = base + cx * f; p < end; p++) s += source[p];
      sum[row + cx] += s;
    }
  }
  for (let cy = 0; cy < wh; cy++) {
    const rows = Math.min(f, height - cy * f), l = left(cy, edge + 1), r = right(cy, edge + 1);
    for (let cx = 0; cx < ww; cx = cx + 1 === l ? r : cx + 1) img[cy * ww + cx] = sum[cy * ww + cx] / (rows * Math.min(f, width - cx * f));
  }
  for (let y = 0; y < wh; y++) {
    const l = left(y, edge), r = right(y, edge);
    for (let x = 0; x < ww; x = x + 1 === l ? r : x + 1) {
      const i = y * ww + x;
      if (y > 0 && x > 0 && y < wh - 1 && x < ww - 1) {
        // The same additions in the same order as the clipped loop below: the same float value.
        const a = i - ww, b = i + ww;
        out[i] = (img[a - 1] + img[a] + img[a + 1] + img[i - 1] + img[i] + img[i + 1] + img[b - 1] + img[b] + img[b + 1]) / 9;
        continue;
      }
      let s = 0, c = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(wh - 1, y + 1); yy++) for (let xx = Math.max(0, x - 1); xx <= Math.min(ww - 1, x + 1); xx++) { s += img[yy * ww + xx]; c++; }
      out[i] = s / c;
    }
  }
  return out;
}

/**
 * Some exports letterbox a black-background scan inside a grey frame: the first pass then finds
 * the frame's dark inner rectangle. If that rectangle's own border is a flat background at another
 * level, the head is searched again inside it (a tight crop's border is the same background, or head).
 */
function analyse(gray: Uint8Array, width: number, height: number): Analysis {
  if (gray.length !== width * height || width < 1 || height < 1) throw new RangeError(`expected ${width}x${height} pixels, got ${gray.length}`);
  const whole = fitRegion(gray, width, { x0: 0, y0: 0, x1: width, y1: height }, false);
  let best = findHead(whole, foreground(gray, width, whole));
  for (let pass = 0; pass < 2 && best.head; pass++) {
    // Inset past the margin and blur that carried the frame's own edge into the box.
    const inset = 3 * best.factor, b = best.box;
    if (b.x1 - b.x0 <= 4 * inset || b.y1 - b.y0 <= 4 * inset) break;
    // The background test first: it needs the border band's fit alone, and it ends most images'
    // search, so the inner region's foreground and head are found only when they could replace
    // the outer ones.
    const inner = fitRegion(gray, width, { x0: b.x0 + inset, y0: b.y0 + inset, x1: b.x1 - inset, y1: b.y1 - inset }, true);
    if (inner.ring.length === 0) break;
    const cx = (best.box.x0 + best.box.x1) / 2, cy = (best.box.y0 + best.box.y1) / 2;
    const level = (a: Fit) => a.plane[0] + a.plane[1] * ((cx - a.ox) / a.factor) + a.plane[2] * ((cy - a.oy) / a.factor);
    let flatCount = 0;
    for (let i = 0; i < inner.ring.length; i++) if (Math.abs(inner.ring[i]) <= best.threshold) flatCount++;
    if (Math.abs(level(inner) - level(best)) <= best.threshold || flatCount / inner.ring.length < 0.7) break;
    const innerHead = findHead(inner, foreground(gray, width, inner));
    if (!innerHead.head) break;
    best = innerHead;
  }
  return best;
}

/** The working grid of `region` and its background, fitted to the grid's border band (computing
 *  only that band of the working image when `bandOnly`). */
function fitRegion(source: Uint8Array, sourceWidth: number, region: Box, bandOnly: boolean): Fit {
  const width = region.x1 - region.x0, height = region.y1 - region.y0;
  const f = Math.max(1, Math.ceil(Math.max(width, height) / WORK_SIDE));
  const ww = Math.ceil(width / f), wh = Math.ceil(height / f);
  const img = workingImage(source, sourceWidth, region, f, ww, wh, bandOnly ? bandWidth(ww, wh) : Infinity);
  return { region, ox: region.x0, oy: region.y0, factor: f, ww, wh, ...fitBackground(img, ww, wh), img, bandOnly };
}

function foreground(source: Uint8Array, sourceWidth: number, fit: Fit): Foreground {
  const { region, factor: f, ww, wh, plane, sigma } = fit;
  const img = fit.bandOnly ? workingImage(source, sourceWidth, region, f, ww, wh) : fit.img;
  const res = new Float32Array(ww * wh);
  for (let y = 0; y < wh; y++) for (let x = 0; x < ww; x++) res[y * ww + x] = img[y * ww + x] - (plane[0] + plane[1] * x + plane[2] * y);
  // Foreground = far enough from the background (either way: dark bone next to a grey background
  // counts too): 5 noise sigmas, but at least 15% of the contrast (so a dim flat plateau, e.g. noise
  // next to black rotation fill, stays background) and 6 grey levels.
  const contrast = percentileAbs(res, 0.99);
  const threshold = Math.max(5 * sigma, 0.15 * contrast, 6);
  const mask = new Uint8Array(ww * wh);
  for (let i = 0; i < mask.length; i++) mask[i] = Math.abs(res[i]) > threshold ? 1 : 0;
  return { threshold, mask };
}

function findHead(fit: Fit, fg: Foreground): Analysis {
  const { region, ox, oy, factor: f, ww, wh } = fit, { mask } = fg;
  const width = region.x1 - region.x0, height = region.y1 - region.y0;
  const { label, comps } = components(mask, ww, wh, Math.max(1, Math.round(Math.max(ww, wh) / 128)));
  let main = -1;
  for (let i = 0; i < comps.length; i++) if (comps[i].core > 0 && (main < 0 || comps[i].core > comps[main].core)) main = i;
  if (main < 0) return { ...fit, ...fg, box: { ...region }, head: null }; // blank, or only thin lines / specks: keep the whole frame

  // Grow from the largest solid component: add a ring around it (a scalp split off by dark bone)
  // and solid fragments within a small gap of the kept pixels. Labels, markers and rulers elsewhere,
  // even inside the box's corners, stay out; pieces enclosed by the head return with the hole filling.
  const keep = new Uint8Array(comps.length);
  keep[main] = 1;
  let box = { ...comps[main].box };
  const gapLimit = Math.round(0.03 * Math.max(ww, wh));
  const mainCore = comps[main].core;
  for (let changed = true; changed;) {
    changed = false;
    // Distances as of this round's start; needed only if a component could join by the gap rule.
    let candidates = false;
    for (let i = 0; i < comps.length && !candidates; i++) candidates = !keep[i] && comps[i].area >= 8 && comps[i].core >= 0.02 * mainCore;
    const near = candidates ? distanceToKept(label, keep, ww, wh) : null;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i], b = c.box;
      const around = b.x0 <= box.x0 && b.y0 <= box.y0 && b.x1 >= box.x1 && b.y1 >= box.y1;
      if (keep[i] || c.area < 8 || !(around || (c.core >= 0.02 * mainCore && near !== null && near[i] <= gapLimit))) continue;
      keep[i] = 1;
      box = { x0: Math.min(box.x0, b.x0), y0: Math.min(box.y0, b.y0), x1: Math.max(box.x1, b.x1), y1: Math.max(box.y1, b.y1) };
      changed = true;
    }
  }
  const head = headMask(label, keep, ww, wh);
  // One working pixel of margin: the threshold misses the faint partial-volume rim of the head.
  const m = 1;
  return {
    ...fit,
    ...fg,
    head,
    box: {
      x0: ox + Math.max(0, (box.x0 - m) * f), y0: oy + Math.max(0, (box.y0 - m) * f),
      x1: ox + Math.min(width, (box.x1 + m) * f), y1: oy + Math.min(height, (box.y1 + m) * f),
    },
  };
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
  const cellOf = new Int32Array(bw); // working column of each of the box's columns
  for (let x = 0; x < bw; x++) cellOf[x] = Math.floor((box.x0 + x - ox) / f);
  for (let y = box.y0; y < box.y1; y++) {
    const headRow = Math.floor((y - oy) / f) * ww, from = y * width + box.x0, to = (py + y - box.y0) * side + px;
    if (!head) { canvas.set(gray.subarray(from, from + bw), to); continue; }
    for (let x = box.x0; x < box.x1; x++) {
      const where = head[headRow + cellOf[x - box.x0]];
      if (where === 0) continue;
      if (where === 1) {
        // Rim: decide at full resolution (3x3 mean against the background plane), so the head's
        // outline is pixel-accurate instead of following the coarse working grid.
        let sum = 0, n = 0;
        for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) for (let xx = Math.max(0, x - 1); xx <= Math.min(width - 1, x + 1); xx++) { sum += gray[yy * width + xx]; n++; }
        const level = plane[0] + plane[1] * ((x - ox + 0.5) / f - 0.5) + plane[2] * ((y - oy + 0.5) / f - 0.5);
        if (Math.abs(sum / n - level) <= threshold) continue;
      }
      canvas[to + x - box.x0] = gray[from + x - box.x0];
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
