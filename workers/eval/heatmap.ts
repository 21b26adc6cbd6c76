// Reconstruction-error heat maps (the paper's figures 4 and 5): for each example a row of input,
// reconstruction and |x - x_hat| in a perceptual colour scale (black -> purple -> orange ->
// yellow) on a fixed 0-0.5 error range, so that maps of different images and runs compare.
import sharp from 'sharp';

const STOPS: [number, [number, number, number]][] = [
  [0, [0, 0, 4]],
  [0.25, [87, 16, 110]],
  [0.5, [188, 55, 84]],
  [0.75, [249, 142, 9]],
  [1, [252, 255, 164]],
];
export const HEATMAP_MAX_ERROR = 0.5;

export function heatColour(t: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, t));
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, c1] = STOPS[i];
    const [t0, c0] = STOPS[i - 1];
    if (v <= t1) {
      const f = (v - t0) / (t1 - t0);
      return [0, 1, 2].map((k) => Math.round(c0[k] + f * (c1[k] - c0[k]))) as [number, number, number];
    }
  }
  return STOPS[STOPS.length - 1][1];
}

/** Rows of [input | reconstruction | error], pixels in [0, 1], each image size x size. */
export function heatmapRowsPng(rows: { input: ArrayLike<number>; reconstruction: ArrayLike<number> }[], size: number, gap = 2): Promise<Buffer> {
  const width = 3 * size + 2 * gap;
  const height = rows.length * size + (rows.length - 1) * gap;
  const rgb = Buffer.alloc(width * height * 3, 255);
  rows.forEach((row, r) => {
    const top = r * (size + gap);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = y * size + x;
        const a = row.input[p], b = row.reconstruction[p];
        const tiles: [number, number, number][] = [
          [Math.round(a * 255), Math.round(a * 255), Math.round(a * 255)],
          [Math.round(b * 255), Math.round(b * 255), Math.round(b * 255)],
          heatColour(Math.abs(a - b) / HEATMAP_MAX_ERROR),
        ];
        tiles.forEach((c, t) => rgb.set(c, ((top + y) * width + t * (size + gap) + x) * 3));
      }
    }
  });
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
