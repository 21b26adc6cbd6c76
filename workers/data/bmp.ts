// Minimal BMP reader (sharp/libvips cannot read BMP): uncompressed 8-bit palette, 24-bit and
// 32-bit (BI_RGB or BI_BITFIELDS) files, decoded to interleaved RGB(A) for the sharp pipeline.

export class BmpError extends Error {
  constructor(message: string, readonly reason: 'corrupt' | 'unsupported' | 'too-large') {
    super(message);
    this.name = 'BmpError';
  }
}

export interface RawRgb {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export function isBmp(input: Uint8Array): boolean {
  return input.length >= 2 && input[0] === 0x42 && input[1] === 0x4d; // "BM"
}

/** Shift and width of a channel mask, so a masked value can be rescaled to 0..255. */
function maskInfo(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

export function decodeBmp(input: Uint8Array, maxPixels: number): RawRgb {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  if (input.length < 26) throw new BmpError('truncated or corrupt BMP: the header is incomplete', 'corrupt');
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  let width: number, rawHeight: number, bpp: number, compression = BI_RGB, colours = 0;
  if (headerSize === 12) {
    // OS/2 BITMAPCOREHEADER: 16-bit sizes, 3-byte palette entries.
    width = view.getUint16(18, true);
    rawHeight = view.getUint16(20, true);
    bpp = view.getUint16(24, true);
  } else if (headerSize >= 40 && input.length >= 54) {
    width = view.getInt32(18, true);
    rawHeight = view.getInt32(22, true);
    bpp = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    colours = view.getUint32(46, true);
  } else {
    throw new BmpError(`truncated or corrupt BMP: unknown header size ${headerSize}`, 'corrupt');
  }
  // A negative height means rows are stored top-down instead of the usual bottom-up.
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height <= 0) throw new BmpError(`truncated or corrupt BMP: invalid size ${width}x${height}`, 'corrupt');
  if (width * height > maxPixels) {
    throw new BmpError(`image is ${width}x${height} pixels, more than the ${formatMegapixels(maxPixels)} limit`, 'too-large');
  }
  const bitfields = compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS;
  if (!(compression === BI_RGB || (bitfields && bpp === 32)) || ![8, 24, 32].includes(bpp)) {
    throw new BmpError(
      `unsupported BMP variant (${bpp}-bit, compression ${compression}); only uncompressed 8/24/32-bit BMPs are read, convert it to PNG`,
      'unsupported',
    );
  }

  // Masks follow a 40-byte header, or sit inside the larger V2..V5 headers at the same offset.
  let masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0]; // BI_RGB 32-bit: the 4th byte is unused, not alpha
  if (bitfields) {
    const count = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
    if (input.length < 54 + 4 * count) throw new BmpError('truncated or corrupt BMP: channel masks missing', 'corrupt');
    masks = [0, 1, 2, 3].map((i) => (i < count ? view.getUint32(54 + 4 * i, true) : 0));
  }

  let palette: Uint8Array | null = null;
  if (bpp === 8) {
    const entry = headerSize === 12 ? 3 : 4;
    const count = colours || 256;
    const start = 14 + headerSize + (bitfields ? 12 : 0);
    if (count > 256 || start + count * entry > input.length) throw new BmpError('truncated or corrupt BMP: palette missing', 'corrupt');
    palette = new Uint8Array(256 * 3); // unused entries stay black, so a bad index cannot read out of range
    for (let i = 0; i < count; i++) {
      palette[3 * i] = input[start + i * entry + 2];
      palette[3 * i + 1] = input[start + i * entry + 1];
      palette[3 * i + 2] = input[start + i * entry];
    }
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4; // rows are padded to 4 bytes
  if (pixelOffset + stride * (height - 1) + Math.ceil((bpp * width) / 8) > input.length) {
    throw new BmpError('truncated or corrupt BMP: pixel data is shorter than the header says', 'corrupt');
  }
  const [r, g, b, a] = masks.map(maskInfo);
  const channels: 3 | 4 = a.max > 0 ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  const scale = (value: number, m: { shift: number; max: number }) => (m.max === 0 ? 0 : Math.round((((value >>> m.shift) & m.max) * 255) / m.max));
  let alphaSeen = false;
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (bpp === 8) {
        const idx = input[row + x] * 3;
        out[o] = palette![idx];
        out[o + 1] = palette![idx + 1];
        out[o + 2] = palette![idx + 2];
      } else if (bpp === 24) {
        const p = row + 3 * x;
        out[o] = input[p + 2];
        out[o + 1] = input[p + 1];
        out[o + 2] = input[p];
      } else {
        const v = view.getUint32(row + 4 * x, true);
        out[o] = scale(v, r);
        out[o + 1] = scale(v, g);
        out[o + 2] = scale(v, b);
        if (channels === 4) {
          out[o + 3] = scale(v, a);
          alphaSeen ||= out[o + 3] !== 0;
        }
      }
    }
  }
  // Many writers declare an alpha mask but leave it all zero: treat that as opaque, not invisible.
  if (channels === 4 && !alphaSeen) for (let i = 3; i < out.length; i += 4) out[i] = 255;
  return { data: out, width, height, channels };
}

export function formatMegapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return `${mp >= 10 ? Math.round(mp) : Number(mp.toPrecision(2))} megapixel`;
}
