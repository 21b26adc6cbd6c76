// Decodes one uploaded scan (JPEG, PNG, WebP, TIFF, GIF, AVIF via sharp; BMP via ./bmp) to 8-bit
// greyscale, upright per EXIF, refusing oversized images before their pixels are decoded.
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { BmpError, type RawRgb, decodeBmp, formatMegapixels, isBmp } from './bmp';

export type ImageDecodeReason = 'empty' | 'not-an-image' | 'unsupported-format' | 'corrupt' | 'too-large';

/** A decode failure whose message can be shown to the user as is. */
export class ImageDecodeError extends Error {
  constructor(message: string, readonly reason: ImageDecodeReason) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Raster formats libvips decodes here; SVG/PDF are drawings rather than scans and are refused. */
const RASTER_FORMATS = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif', 'heif']);
const FORMAT_NAMES: Record<string, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', tiff: 'TIFF', gif: 'GIF', heif: 'AVIF' };

function sniffOther(input: Uint8Array): string | null {
  const ascii = (from: number, to: number) => Buffer.from(input.subarray(from, to)).toString('latin1');
  if (input.length >= 132 && ascii(128, 132) === 'DICM') return 'a DICOM file; export the slice as PNG or JPEG first';
  if (input.length >= 348 && (ascii(344, 348) === 'n+1\0' || ascii(344, 348) === 'ni1\0')) return 'a NIfTI volume, not a 2-D image';
  if (ascii(0, 4) === '%PDF') return 'a PDF document, not an image';
  return null;
}

export async function decodeToGray(input: Buffer, limits: { maxPixels: number }): Promise<GrayImage> {
  const { maxPixels } = limits;
  if (!(Number.isFinite(maxPixels) && maxPixels > 0)) throw new RangeError(`maxPixels must be a positive number, got ${maxPixels}`);
  if (input.length === 0) throw new ImageDecodeError('the file is empty', 'empty');

  if (isBmp(input)) {
    let rgb: RawRgb;
    try {
      rgb = decodeBmp(input, maxPixels);
    } catch (err) {
      if (err instanceof BmpError) throw new ImageDecodeError(err.message, err.reason === 'unsupported' ? 'unsupported-format' : err.reason);
      throw err;
    }
    // Same greyscale conversion as every other format, so a BMP and its PNG twin give equal pixels.
    const pipeline = sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: rgb.channels } });
    return toGray(pipeline, 'BMP', maxPixels);
  }

  // Reading the header alone is cheap and gives the dimensions for a helpful "too large" message;
  // the decode below also sets limitInputPixels so libvips itself refuses a bomb that lies here.
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    const other = sniffOther(input);
    if (other) throw new ImageDecodeError(`this is ${other}`, 'unsupported-format');
    const msg = (err as Error).message;
    if (/unsupported image format/i.test(msg)) throw new ImageDecodeError('not an image (or a format that is not supported: use JPEG, PNG, WebP, TIFF or BMP)', 'not-an-image');
    // libvips repeats its warnings; the first clause says what is wrong.
    throw new ImageDecodeError(`truncated or corrupt image (${msg.split(/VipsJpeg: |\n/).filter(Boolean).slice(-1)[0]?.trim() ?? msg})`, 'corrupt');
  }
  const format = meta.format ?? 'unknown';
  if (!RASTER_FORMATS.has(format)) {
    throw new ImageDecodeError(`${format.toUpperCase()} files are not supported: use JPEG, PNG, WebP, TIFF or BMP`, 'unsupported-format');
  }
  if (format === 'heif' && meta.compression === 'hevc') {
    throw new ImageDecodeError('HEIC (HEVC) images cannot be read here: convert it to JPEG or PNG', 'unsupported-format');
  }
  const name = FORMAT_NAMES[format] ?? format;
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0; // multi-page files: only the first page is read
  if (width <= 0 || height <= 0) throw new ImageDecodeError(`truncated or corrupt ${name}: no valid size in its header`, 'corrupt');
  if (width * height > maxPixels) {
    throw new ImageDecodeError(`image is ${width}x${height} pixels, more than the ${formatMegapixels(maxPixels)} limit`, 'too-large');
  }
  // failOn 'error' rejects truncated or damaged pixel data but tolerates harmless warnings
  // (e.g. extra bytes after the end marker) that many real-world JPEGs carry.
  const pipeline = sharp(input, { failOn: 'error', limitInputPixels: Math.max(1, Math.floor(maxPixels)), pages: 1 }).rotate();
  return toGray(pipeline, name, maxPixels);
}

async function toGray(pipeline: Sharp, name: string, maxPixels: number): Promise<GrayImage> {
  let result: { data: Buffer; info: OutputInfo };
  try {
    // Transparent pixels become black, the background every preprocessed slice shares.
    result = await pipeline.flatten({ background: '#000000' }).greyscale().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    const msg = (err as Error).message;
    if (/pixel limit/i.test(msg)) throw new ImageDecodeError(`image is larger than the ${formatMegapixels(maxPixels)} limit`, 'too-large');
    throw new ImageDecodeError(`truncated or corrupt ${name} (${msg.trim().split('\n')[0]})`, 'corrupt');
  }
  const { data, info } = result;
  const gray = new Uint8Array(info.width * info.height);
  if (info.channels === 1) gray.set(data);
  else for (let i = 0; i < gray.length; i++) gray[i] = data[i * info.channels]; // greyscale: channels are equal
  return { data: gray, width: info.width, height: info.height };
}
