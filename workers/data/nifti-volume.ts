// Decodes one NIfTI-1 file (.nii, or gzip-compressed .nii.gz) into a float volume, with errors
// that tell the user what is wrong with the file and how to fix it.
import zlib from 'node:zlib';
import { NIFTI1, isCompressed, isNIFTI1, isNIFTI2, readHeader } from 'nifti-reader-js';

/** Largest volume a .nii.gz may unpack to: a small file that unpacks to more (a gzip bomb) is
 * refused once this many bytes came out, without unpacking the rest. */
export const MAX_UNPACKED_VOLUME_BYTES = 512 * 1024 ** 2;

export type NiftiErrorCode =
  | 'not-nifti'
  | 'unsupported-format'
  | 'decompress-failed'
  | 'too-large'
  | 'bad-dims'
  | 'unsupported-datatype'
  | 'truncated'
  | 'mask-mismatch';

/** A problem with the user's file, worded so they can act on it. */
export class NiftiError extends Error {
  override readonly name = 'NiftiError';

  constructor(message: string, readonly code: NiftiErrorCode) {
    super(message);
  }
}

const DATATYPES: Record<number, { name: string; bytes: number }> = {
  [NIFTI1.TYPE_UINT8]: { name: 'uint8', bytes: 1 },
  [NIFTI1.TYPE_INT8]: { name: 'int8', bytes: 1 },
  [NIFTI1.TYPE_INT16]: { name: 'int16', bytes: 2 },
  [NIFTI1.TYPE_UINT16]: { name: 'uint16', bytes: 2 },
  [NIFTI1.TYPE_INT32]: { name: 'int32', bytes: 4 },
  [NIFTI1.TYPE_UINT32]: { name: 'uint32', bytes: 4 },
  [NIFTI1.TYPE_FLOAT32]: { name: 'float32', bytes: 4 },
  [NIFTI1.TYPE_FLOAT64]: { name: 'float64', bytes: 8 },
};

const UNSUPPORTED_NAMES: Record<number, string> = {
  0: 'none', 1: 'binary', 32: 'complex64', 128: 'RGB', 1024: 'int64', 1280: 'uint64',
  1536: 'float128', 1792: 'complex128', 2048: 'complex256', 2304: 'RGBA',
};

export interface Volume {
  nx: number;
  ny: number;
  nz: number;
  /** First volume, scl_slope/scl_inter applied; non-finite voxels are NaN. */
  data: Float32Array;
  header: NIFTI1;
}

function toArrayBuffer(input: Buffer | ArrayBuffer | Uint8Array): ArrayBuffer {
  if (input instanceof ArrayBuffer) return input;
  // A Buffer may be a view into a larger shared pool: copy exactly its bytes.
  const copy = new Uint8Array(input.byteLength);
  copy.set(input);
  return copy.buffer;
}

export function loadVolume(input: Buffer | ArrayBuffer | Uint8Array, what: 'volume' | 'mask', maxUnpackedBytes = MAX_UNPACKED_VOLUME_BYTES): Volume {
  let data = toArrayBuffer(input);
  const bytes = new Uint8Array(data, 0, Math.min(2, data.byteLength));
  if (data.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b && isCompressed(data)) {
    try {
      data = toArrayBuffer(zlib.gunzipSync(new Uint8Array(data), { maxOutputLength: maxUnpackedBytes }));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new NiftiError(`the ${what} unpacks to more than ${maxUnpackedBytes / 1024 ** 2} MiB, the limit per volume; crop or downsample it`, 'too-large');
      }
      throw new NiftiError(
        `the ${what} looks gzip-compressed but could not be decompressed (${(err as Error).message}); the .nii.gz file is probably truncated or corrupt`,
        'decompress-failed',
      );
    }
  }
  if (data.byteLength >= 348 && isNIFTI2(data)) {
    throw new NiftiError(`the ${what} is a NIfTI-2 file, which is not supported; save it as NIfTI-1 (.nii or .nii.gz)`, 'unsupported-format');
  }
  if (!isNIFTI1(data)) {
    if (isNIFTI1(data, true)) {
      throw new NiftiError(
        `the ${what} is the header of an Analyze-style .hdr/.img pair (magic "ni1"); convert it to a single-file .nii or .nii.gz`,
        'unsupported-format',
      );
    }
    throw new NiftiError(
      `the ${what} is not a NIfTI-1 file (no "n+1" magic at byte 344 of a ${data.byteLength}-byte file); upload a .nii or .nii.gz volume`,
      'not-nifti',
    );
  }
  let header: NIFTI1;
  try {
    header = readHeader(data) as NIFTI1;
  } catch (err) {
    throw new NiftiError(`the ${what} has a NIfTI-1 magic but an unreadable header (${(err as Error).message})`, 'not-nifti');
  }

  const ndim = header.dims[0];
  const dim = (d: number) => (d <= ndim ? header.dims[d] : 1);
  const nx = dim(1);
  const ny = dim(2);
  const nz = dim(3);
  if (!(ndim >= 2 && ndim <= 7) || ![nx, ny, nz].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new NiftiError(
      `the ${what} has invalid dimensions (dim = [${header.dims.slice(0, 8).join(', ')}]); expected a 2-D, 3-D or 4-D image`,
      'bad-dims',
    );
  }

  const code = header.datatypeCode;
  const type = DATATYPES[code];
  if (!type) {
    const name = UNSUPPORTED_NAMES[code] ?? 'unknown';
    const supported = Object.values(DATATYPES).map((t) => t.name).join(', ');
    throw new NiftiError(
      `unsupported datatype ${code} (${name}) in the ${what}; convert it to one of: ${supported}`,
      'unsupported-datatype',
    );
  }

  // A single-file NIfTI-1 keeps voxels at vox_offset >= 352; a smaller value is a writer's bug.
  const offset = Math.max(352, Math.round(header.vox_offset));
  const count = nx * ny * nz;
  const need = count * type.bytes;
  if (offset + need > data.byteLength) {
    throw new NiftiError(
      `the ${what} is truncated: its header promises ${nx}x${ny}x${nz} ${type.name} voxels (${need} bytes from offset ${offset}) but the file has only ${Math.max(0, data.byteLength - offset)} bytes of voxel data`,
      'truncated',
    );
  }

  let slope = header.scl_slope;
  let inter = header.scl_inter;
  // NIfTI-1: scl_slope = 0 means "no scaling".
  if (!Number.isFinite(slope) || slope === 0) { slope = 1; inter = 0; }
  if (!Number.isFinite(inter)) inter = 0;
  return { nx, ny, nz, data: readVoxels(data, offset, count, code, header.littleEndian, slope, inter), header };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readVoxels(
  data: ArrayBuffer, offset: number, count: number, code: number, littleEndian: boolean, slope: number, inter: number,
): Float32Array {
  const out = new Float32Array(count);
  const { bytes } = DATATYPES[code];
  if (littleEndian === HOST_LITTLE_ENDIAN) {
    // slice() gives an aligned copy, so typed views work whatever vox_offset is.
    const raw = data.slice(offset, offset + count * bytes);
    const src: ArrayLike<number> =
      code === NIFTI1.TYPE_UINT8 ? new Uint8Array(raw)
      : code === NIFTI1.TYPE_INT8 ? new Int8Array(raw)
      : code === NIFTI1.TYPE_INT16 ? new Int16Array(raw)
      : code === NIFTI1.TYPE_UINT16 ? new Uint16Array(raw)
      : code === NIFTI1.TYPE_INT32 ? new Int32Array(raw)
      : code === NIFTI1.TYPE_UINT32 ? new Uint32Array(raw)
      : code === NIFTI1.TYPE_FLOAT32 ? new Float32Array(raw)
      : new Float64Array(raw);
    for (let k = 0; k < count; k++) out[k] = src[k] * slope + inter;
  } else {
    const view = new DataView(data, offset, count * bytes);
    const le = littleEndian;
    const get: (k: number) => number =
      code === NIFTI1.TYPE_UINT8 ? (k) => view.getUint8(k)
      : code === NIFTI1.TYPE_INT8 ? (k) => view.getInt8(k)
      : code === NIFTI1.TYPE_INT16 ? (k) => view.getInt16(2 * k, le)
      : code === NIFTI1.TYPE_UINT16 ? (k) => view.getUint16(2 * k, le)
      : code === NIFTI1.TYPE_INT32 ? (k) => view.getInt32(4 * k, le)
      : code === NIFTI1.TYPE_UINT32 ? (k) => view.getUint32(4 * k, le)
      : code === NIFTI1.TYPE_FLOAT32 ? (k) => view.getFloat32(4 * k, le)
      : (k) => view.getFloat64(8 * k, le);
    for (let k = 0; k < count; k++) out[k] = get(k) * slope + inter;
  }
  for (let k = 0; k < count; k++) if (!Number.isFinite(out[k])) out[k] = NaN;
  return out;
}
