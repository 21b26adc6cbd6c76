// Burned-in text and tick rulers drawn into the free bands of a raw canvas, clear of the head.
import type { Rng } from './phantom-math';
import type { Box } from './phantom-raw-composite';
import { pick, type Layout } from './phantom-raw-layout';

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
export function drawMarkers(layout: Layout, grey: Float32Array, head: Box, rng: Rng): void {
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
