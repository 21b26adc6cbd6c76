// The "acquisition" of one raw demo file: canvas size, pose, contrast window, colour, markers and
// JPEG quality, all drawn up front from one random stream.
import type { Rng } from './phantom-math';

/** Everything random about one raw file, drawn up front so rendering is a pure function of it. */
export interface Layout {
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

export function pick<T>(rng: Rng, items: readonly T[]): T {
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

export function sampleLayout(rng: Rng): Layout {
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
