// Raw, Br35H-like demo data: phantom slices placed on heterogeneous "acquisition" canvases and saved
// as JPEGs, so the embedded demo goes through the same import and preprocessing as a real download.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { generatePhantom } from './phantom';
import { GAUSS, Rng, hashSeed } from './phantom-math';

// Random streams of this module; distinct from the phantom's (which hashes 3 parts, these 4).
const STREAM_LAYOUT = 0x7261;
const STREAM_COPIES = 0x636f;

export interface RawSlice {
  /** Br35H-style name: `y<N>.jpg` (tumour, folder yes/) or `no<N>.jpg` (healthy, folder no/). */
  file: string;
  jpeg: Buffer;
  width: number;
  height: number;
}

export interface RawDatasetResult {
  files: number;
  duplicates: number;
  /** Ground truth for leakage checks: each augmented copy and the file it was made from, relative to dir. */
  pairs: Array<{ copy: string; source: string }>;
}

/** Everything random about one raw file, drawn up front so rendering is a pure function of it. */
interface Layout {
  width: number;
  height: number;
  /** Resolution the phantom is rendered at, then resampled to `side`. */
  phantomSize: number;
  /** Displayed side of the phantom's square frame, in canvas pixels. */
  side: number;
  angle: number;
  flip: boolean;
  cx: number;
  cy: number;
  background: number;
  backgroundNoise: number;
  window: { lo: number; hi: number; gamma: number };
  /** Per-channel gains for a 3-channel file, or null for a greyscale JPEG. */
  colour: [number, number, number] | null;
  markers: { text: boolean; ruler: boolean };
  quality: number;
}

// Br35H sizes cluster on a few web/export sizes; half the canvases snap to one of them.
const COMMON_SIDES = [200, 225, 236, 256, 300, 320, 350, 400, 450, 512, 560, 600, 630, 680];
const MIN_SIDE = 150;
const MAX_SIDE = 700;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)];
}

function sampleCanvas(rng: Rng): { width: number; height: number } {
  const long = rng.chance(0.5)
    ? pick(rng, COMMON_SIDES)
    : Math.round(Math.exp(rng.range(Math.log(170), Math.log(MAX_SIDE))));
  const kind = rng.next();
  let ratio: number; // width / height
  if (kind < 0.4) ratio = 1; // square
  else if (kind < 0.62) ratio = rng.chance(0.6) ? 4 / 3 : rng.range(1.15, 1.5); // landscape
  else if (kind < 0.8) ratio = 1 / rng.range(1.1, 1.4); // tall
  else ratio = rng.range(0.85, 1.2); // almost square
  let width = ratio >= 1 ? long : Math.round(long * ratio);
  let height = ratio >= 1 ? Math.round(long / ratio) : long;
  const short = Math.min(width, height);
  if (short < MIN_SIDE) {
    width = Math.min(MAX_SIDE, Math.round((width * MIN_SIDE) / short));
    height = Math.min(MAX_SIDE, Math.round((height * MIN_SIDE) / short));
  }
  return { width, height };
}

function sampleLayout(rng: Rng): Layout {
  const { width, height } = sampleCanvas(rng);
  const angle = rng.chance(0.4) ? (rng.range(-10, 10) * Math.PI) / 180 : 0;
  const flip = rng.chance(0.3);
  const markerDraw = rng.next();
  const markers = { text: markerDraw < 0.14, ruler: markerDraw >= 0.1 && markerDraw < 0.22 };
  const hasMarkers = markers.text || markers.ruler;
  // Share of the canvas's short side taken by the rotated frame; smaller when burned-in text needs room.
  const fill = hasMarkers ? rng.range(0.55, 0.8) : rng.range(0.62, 0.98);
  const span = fill * Math.min(width, height);
  const side = span / (Math.abs(Math.cos(angle)) + Math.abs(Math.sin(angle)));
  const centred = rng.chance(0.35);
  const cx = centred ? width / 2 : rng.range(span / 2, width - span / 2);
  const cy = centred ? height / 2 : rng.range(span / 2, height - span / 2);
  // Rendering near the displayed size keeps small files cheap; big ones are upsampled (soft, like many
  // Br35H files). The cap is >= 144 px, so the brain spans >= ~128 px (the models' input) unless the canvas is smaller.
  const phantomSize = Math.max(96, Math.min(Math.round(side * rng.range(0.6, 1)), Math.round(rng.range(144, 232))));
  const grey = rng.chance(0.25);
  const background = grey ? Math.round(rng.range(45, 170)) : rng.chance(0.8) ? 0 : Math.round(rng.range(1, 7));
  const backgroundNoise = grey && rng.chance(0.5) ? rng.range(2, 7) : 0;
  const window = { lo: rng.range(0, 12), hi: rng.range(205, 285), gamma: rng.range(0.8, 1.25) };
  let colour: Layout['colour'] = null;
  if (rng.chance(0.25)) {
    colour = rng.chance(0.35)
      ? [1, 1, 1] // grey content stored as RGB
      : [1 + rng.range(-0.05, 0.05), 1 + rng.range(-0.05, 0.05), 1 + rng.range(-0.05, 0.05)];
  }
  const quality = Math.round(rng.range(70, 95));
  return { width, height, phantomSize, side, angle, flip, cx, cy, background, backgroundNoise, window, colour, markers, quality };
}

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

interface Box { x0: number; y0: number; x1: number; y1: number }

/**
 * Composites the (windowed) phantom onto the background through its head mask with rotation,
 * flip, scale and offset. Returns the grey canvas and the bounding box of the head in it.
 */
function composite(layout: Layout, phantom: Uint8Array, rng: Rng): { grey: Float32Array; head: Box } {
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

// 5x7 bitmap glyphs (bit 4 = leftmost column) for burned-in annotations.
const FONT: Record<string, number[]> = {
  '0': [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  '1': [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  '2': [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  '3': [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  '4': [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  '5': [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  '6': [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  '7': [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  '8': [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  '9': [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
  A: [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  E: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
  F: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
  I: [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
  L: [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
  M: [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
  P: [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
  R: [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
  S: [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
  T: [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
  ' ': [0, 0, 0, 0, 0, 0, 0],
};

function annotation(rng: Rng): string {
  const digits = (count: number) => Array.from({ length: count }, () => String(Math.floor(rng.next() * 10))).join('');
  const templates = [
    () => pick(rng, ['L', 'R', 'A', 'P']),
    () => pick(rng, ['T1', 'T2', 'FLAIR', 'T1 SE', 'MR']),
    () => `IM ${digits(2)}`,
    () => `SE ${digits(1)} IM ${digits(2)}`,
    () => `${digits(2)} MM`,
    () => `${digits(3)}`,
  ];
  return pick(rng, templates)();
}

/** Free bands between the head and each canvas edge: [edge, thickness, along-length]. */
function freeStrips(head: Box, width: number, height: number): Array<{ edge: 'top' | 'bottom' | 'left' | 'right'; thick: number }> {
  return [
    { edge: 'top' as const, thick: head.y0 },
    { edge: 'bottom' as const, thick: height - 1 - head.y1 },
    { edge: 'left' as const, thick: head.x0 },
    { edge: 'right' as const, thick: width - 1 - head.x1 },
  ].sort((a, b) => b.thick - a.thick);
}

/**
 * Burns small bright text and/or a tick ruler into free bands near the canvas edges, at least
 * `gap` pixels from the head's bounding box, so a preprocessor can tell them apart from the head.
 */
function drawMarkers(layout: Layout, grey: Float32Array, head: Box, rng: Rng): void {
  const { width, height, markers } = layout;
  const gap = Math.max(8, Math.round(0.04 * Math.min(width, height)));
  const edgePad = 3;
  const strips = freeStrips(head, width, height);
  const used = new Set<string>();
  const set = (x: number, y: number, v: number) => {
    if (x >= 0 && y >= 0 && x < width && y < height) grey[y * width + x] = v;
  };

  if (markers.ruler) {
    const k = Math.min(width, height) >= 400 ? 2 : 1;
    const tick = Math.round(rng.range(3, 6)) * k;
    const need = 2 * tick + edgePad + gap;
    const strip = strips.find((s) => s.thick >= need);
    if (strip) {
      used.add(strip.edge);
      const horizontal = strip.edge === 'top' || strip.edge === 'bottom';
      const along = horizontal ? width : height;
      const length = Math.round(along * rng.range(0.25, 0.5));
      const start = Math.round(rng.range(edgePad + 4, along - length - edgePad - 4));
      const spacing = Math.round(rng.range(5, 11)) * k;
      const level = rng.range(170, 255);
      // Baseline sits edgePad + 2*tick from the canvas edge; ticks point towards the edge.
      const base = edgePad + 2 * tick;
      for (let a = start; a <= start + length; a++) {
        const offset = a - start;
        const isTick = offset % spacing < k;
        const tickLen = isTick ? ((offset / spacing) | 0) % 5 === 0 ? 2 * tick : tick : 0;
        for (let t = 0; t < k + tickLen; t++) {
          const d = base - t; // distance from the canvas edge
          if (strip.edge === 'top') set(a, d, level);
          else if (strip.edge === 'bottom') set(a, height - 1 - d, level);
          else if (strip.edge === 'left') set(d, a, level);
          else set(width - 1 - d, a, level);
        }
      }
    }
  }

  if (markers.text) {
    const text = annotation(rng);
    const k = Math.min(width, height) >= 420 ? pick(rng, [2, 3]) : Math.min(width, height) >= 260 ? pick(rng, [1, 2]) : 1;
    const textW = text.length * 6 * k - k;
    const textH = 7 * k;
    const level = rng.range(190, 255);
    for (const strip of strips) {
      if (used.has(strip.edge)) continue;
      const horizontal = strip.edge === 'top' || strip.edge === 'bottom';
      // Text is always horizontal; in a side band it must fit across the band's thickness.
      const across = horizontal ? textH : textW;
      const alongSize = horizontal ? textW : textH;
      const along = horizontal ? width : height;
      if (strip.thick < across + edgePad + 2 + gap || along < alongSize + 2 * edgePad) continue;
      const atStart = rng.chance(0.5);
      const a = atStart ? edgePad + 2 : along - alongSize - edgePad - 2;
      let x0: number;
      let y0: number;
      if (strip.edge === 'top') { x0 = a; y0 = edgePad + 2; }
      else if (strip.edge === 'bottom') { x0 = a; y0 = height - textH - edgePad - 2; }
      else if (strip.edge === 'left') { x0 = edgePad + 2; y0 = a; }
      else { x0 = width - textW - edgePad - 2; y0 = a; }
      for (let c = 0; c < text.length; c++) {
        const glyph = FONT[text[c]] ?? FONT[' '];
        for (let row = 0; row < 7; row++) {
          for (let col = 0; col < 5; col++) {
            if (!((glyph[row] >> (4 - col)) & 1)) continue;
            for (let yy = 0; yy < k; yy++) {
              for (let xx = 0; xx < k; xx++) set(x0 + (c * 6 + col) * k + xx, y0 + row * k + yy, level);
            }
          }
        }
      }
      break;
    }
  }
}

function toPixels(grey: Float32Array, colour: Layout['colour']): { data: Buffer; channels: 1 | 3 } {
  // Writing into a Uint8ClampedArray clamps and rounds.
  if (!colour) {
    const out = new Uint8ClampedArray(grey.length);
    for (let k = 0; k < grey.length; k++) out[k] = grey[k];
    return { data: Buffer.from(out.buffer), channels: 1 };
  }
  const [r, g, b] = colour;
  const out = new Uint8ClampedArray(grey.length * 3);
  for (let k = 0, o = 0; k < grey.length; k++, o += 3) {
    const v = grey[k];
    out[o] = v * r;
    out[o + 1] = v * g;
    out[o + 2] = v * b;
  }
  return { data: Buffer.from(out.buffer), channels: 3 };
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

function encodeJpeg(data: Buffer, width: number, height: number, channels: 1 | 3, quality: number): Promise<Buffer> {
  const image = sharp(data, { raw: { width, height, channels } });
  // Without b-w, sharp would store a 1-channel input as a 3-channel JPEG.
  return (channels === 1 ? image.toColourspace('b-w') : image)
    .jpeg({ quality, chromaSubsampling: channels === 3 && quality >= 90 ? '4:4:4' : '4:2:0' })
    .toBuffer();
}

export function rawFileName(index: number, tumor: boolean): string {
  return tumor ? `y${index}.jpg` : `no${index}.jpg`;
}

/**
 * One raw Br35H-like file, deterministic in (seed, index, tumor). Tumour and healthy files with the
 * same index use different phantom indices, so they are not the same head with and without lesion.
 */
export async function renderRawSlice(opts: { seed: number; index: number; tumor: boolean }): Promise<RawSlice> {
  const { seed, index, tumor } = opts;
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
  const rng = new Rng(hashSeed(seed, index, tumor ? 1 : 0, STREAM_LAYOUT));
  const layout = sampleLayout(rng);
  const phantom = generatePhantom({ seed, index: 2 * index + (tumor ? 0 : 1), tumor, size: layout.phantomSize });
  const { grey, head } = composite(layout, phantom, rng);
  if (layout.markers.text || layout.markers.ruler) drawMarkers(layout, grey, head, rng);
  const { data, channels } = toPixels(grey, layout.colour);
  const jpeg = await encodeJpeg(data, layout.width, layout.height, channels, layout.quality);
  return { file: rawFileName(index, tumor), jpeg, width: layout.width, height: layout.height };
}

/**
 * An augmented near-copy of a JPEG, like the augmented files already present in Br35H: optional
 * horizontal flip, small rotation and shift (same canvas size, background fill), brightness change,
 * and re-encoding at another quality.
 */
export async function augmentCopy(source: Buffer, rng: Rng): Promise<Buffer> {
  const { data, info } = await sharp(source).raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const channels = info.channels;
  const flip = rng.chance(0.5);
  const angle = rng.chance(0.6) ? (rng.range(-6, 6) * Math.PI) / 180 : 0;
  const shiftX = rng.range(-0.05, 0.05) * width;
  const shiftY = rng.range(-0.05, 0.05) * height;
  const gain = rng.range(0.85, 1.15);
  const quality = Math.round(rng.range(70, 95));
  const fill = borderMedian(data, width, height, channels);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const out = Buffer.alloc(width * height * channels);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Inverse map: undo shift, rotation, then flip.
      const dx = x + 0.5 - cx - shiftX;
      const dy = y + 0.5 - cy - shiftY;
      let sx = dx * cos + dy * sin;
      const sy = -dx * sin + dy * cos;
      if (flip) sx = -sx;
      const px = sx + cx - 0.5;
      const py = sy + cy - 0.5;
      const j0 = Math.floor(px);
      const i0 = Math.floor(py);
      const fx = px - j0;
      const fy = py - i0;
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (let di = 0; di <= 1; di++) {
          const i = i0 + di;
          const wy = di ? fy : 1 - fy;
          for (let dj = 0; dj <= 1; dj++) {
            const j = j0 + dj;
            const w = wy * (dj ? fx : 1 - fx);
            v += w * (i >= 0 && j >= 0 && i < height && j < width ? data[(i * width + j) * channels + c] : fill[c]);
          }
        }
        out[(y * width + x) * channels + c] = clampByte(v * gain);
      }
    }
  }
  const encChannels = channels === 1 ? 1 : 3;
  const pixels = channels === encChannels ? out : dropAlpha(out, width * height, channels);
  return encodeJpeg(pixels, width, height, encChannels, quality);
}

function dropAlpha(data: Buffer, count: number, channels: number): Buffer {
  const out = Buffer.alloc(count * 3);
  for (let k = 0; k < count; k++) for (let c = 0; c < 3; c++) out[3 * k + c] = data[k * channels + Math.min(c, channels - 1)];
  return out;
}

function borderMedian(data: Buffer, width: number, height: number, channels: number): number[] {
  const fill: number[] = [];
  for (let c = 0; c < channels; c++) {
    const hist = new Uint32Array(256);
    let count = 0;
    for (let x = 0; x < width; x++) {
      hist[data[x * channels + c]]++;
      hist[data[((height - 1) * width + x) * channels + c]]++;
      count += 2;
    }
    for (let y = 0; y < height; y++) {
      hist[data[y * width * channels + c]]++;
      hist[data[(y * width + width - 1) * channels + c]]++;
      count += 2;
    }
    let seen = 0;
    let v = 0;
    for (; v < 255; v++) {
      seen += hist[v];
      if (seen >= count / 2) break;
    }
    fill.push(v);
  }
  return fill;
}

/** Runs fn over items with at most `limit` in flight; stops taking new items after the first failure. */
async function runPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  const results = await Promise.allSettled(lanes);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/** How many files may be rendered/encoded at once: sharp encodes on libuv's pool while JS renders the next. */
const IN_FLIGHT = 8;

/**
 * Writes a raw demo dataset as `dir/yes/y<N>.jpg` and `dir/no/no<N>.jpg`, N = 0..perClass-1.
 * About `duplicateShare` of each class are augmented copies of an earlier file of the same class.
 * Everything is written to a sibling staging folder `<dir>.partial-*` that is renamed to `dir` at
 * the end, so an interrupted run never leaves a half-written dataset at `dir` (a crash can leave
 * the staging folder, which is clearly named). `dir` must not exist or be empty.
 */
export async function writeRawDemoDataset(
  dir: string,
  opts: { seed: number; perClass: number; duplicateShare?: number; onProgress?: (done: number, total: number) => void },
): Promise<RawDatasetResult> {
  const { seed, perClass, onProgress } = opts;
  const share = opts.duplicateShare ?? 0.05;
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`perClass must be a positive integer, got ${perClass}`);
  if (!(share >= 0 && share <= 0.5)) throw new RangeError(`duplicateShare must be in [0, 0.5], got ${share}`);
  const target = path.resolve(dir);
  await assertEmptyOrMissing(target);
  await mkdir(path.dirname(target), { recursive: true });
  const staging = `${target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;

  interface Job { tumor: boolean; index: number; source?: number }
  const originals: Job[] = [];
  const copies: Job[] = [];
  for (const tumor of [true, false]) {
    const rng = new Rng(hashSeed(seed, tumor ? 1 : 0, perClass, STREAM_COPIES));
    // File 0 is never a copy, so every copy has an earlier original to come from.
    const count = Math.min(Math.round(perClass * share), perClass - 1);
    const candidates = Array.from({ length: perClass - 1 }, (_, i) => i + 1);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(rng.next() * (candidates.length - i));
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
    }
    const copyAt = new Set(candidates.slice(0, count));
    const originalsSoFar: number[] = [];
    for (let index = 0; index < perClass; index++) {
      if (copyAt.has(index)) copies.push({ tumor, index, source: pick(rng, originalsSoFar) });
      else {
        originals.push({ tumor, index });
        originalsSoFar.push(index);
      }
    }
  }
  // Interleave classes so progress and timing are even across the run.
  originals.sort((a, b) => a.index - b.index || Number(b.tumor) - Number(a.tumor));

  const total = 2 * perClass;
  let done = 0;
  const report = () => {
    done++;
    if (onProgress && (done % 50 === 0 || done === total)) onProgress(done, total);
  };
  const folder = (tumor: boolean) => path.join(staging, tumor ? 'yes' : 'no');
  const pairs: RawDatasetResult['pairs'] = [];
  try {
    await mkdir(folder(true), { recursive: true });
    await mkdir(folder(false), { recursive: true });
    await runPool(originals, IN_FLIGHT, async ({ tumor, index }) => {
      const slice = await renderRawSlice({ seed, index, tumor });
      await writeFile(path.join(folder(tumor), slice.file), slice.jpeg);
      report();
    });
    // Copies read their (already written) source back, as an augmentation script would.
    await runPool(copies, IN_FLIGHT, async ({ tumor, index, source }) => {
      const sourceFile = rawFileName(source!, tumor);
      const rng = new Rng(hashSeed(seed, index, tumor ? 1 : 0, STREAM_COPIES));
      const jpeg = await augmentCopy(await readFile(path.join(folder(tumor), sourceFile)), rng);
      const file = rawFileName(index, tumor);
      await writeFile(path.join(folder(tumor), file), jpeg);
      const sub = tumor ? 'yes' : 'no';
      pairs.push({ copy: `${sub}/${file}`, source: `${sub}/${sourceFile}` });
      report();
    });
    await assertEmptyOrMissing(target);
    await rmdir(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  pairs.sort((a, b) => a.copy.localeCompare(b.copy, 'en', { numeric: true }));
  return { files: total, duplicates: copies.length, pairs };
}

async function assertEmptyOrMissing(target: string): Promise<void> {
  try {
    const entries = await readdir(target);
    if (entries.length > 0) {
      throw new Error(`${target} already exists and is not empty; choose a new folder or delete it first`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new Error(`${target} exists and is not a folder`);
    throw err;
  }
}
