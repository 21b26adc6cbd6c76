// The JPEG side of the raw demo data: a canvas encoded as a Br35H-like file, and augmented
// near-copies of a file already written.
import sharp from 'sharp';
import type { Rng } from './phantom-math';
import type { Layout } from './phantom-raw-layout';

export function toPixels(grey: Float32Array, colour: Layout['colour']): { data: Buffer; channels: 1 | 3 } {
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

export function encodeJpeg(data: Buffer, width: number, height: number, channels: 1 | 3, quality: number): Promise<Buffer> {
  const image = sharp(data, { raw: { width, height, channels } });
  // Without b-w, sharp would store a 1-channel input as a 3-channel JPEG.
  return (channels === 1 ? image.toColourspace('b-w') : image)
    .jpeg({ quality, chromaSubsampling: channels === 3 && quality >= 90 ? '4:4:4' : '4:2:0' })
    .toBuffer();
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
