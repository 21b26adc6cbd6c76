// Reads NIfTI-1 volumes (.nii / .nii.gz) into 8-bit axial slices, optionally labelled from a segmentation mask.
import { NIFTI1, decompress, isCompressed, isNIFTI1, isNIFTI2, readHeader } from 'nifti-reader-js';

export type NiftiErrorCode =
  | 'not-nifti'
  | 'unsupported-format'
  | 'decompress-failed'
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

export interface NiftiSlices {
  /** Display size of every slice (row-major, `width` columns, `height` rows). */
  width: number;
  height: number;
  /** Non-background axial slices, ordered inferior to superior when the header says which way that is. */
  slices: Uint8Array[];
  /** With a mask: 1 if the mask has any nonzero voxel in that slice, else 0; one per returned slice. */
  labels?: Uint8Array;
  /** Index along the volume's third voxel axis of each returned slice. */
  sliceIndices: number[];
  /** Number of slices left out as background. */
  skipped: number;
  /** How the slices are oriented for display, in words. */
  orientation: string;
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

/** Percentiles used to map intensities to 0..255 (robust to a few very bright or dark voxels). */
const LOW_PERCENTILE = 0.005;
const HIGH_PERCENTILE = 0.995;
/** Percentiles are computed on at most this many voxels (an even stride through the volume). */
const PERCENTILE_SAMPLE = 2_000_000;
/**
 * A slice is background when fewer than FOREGROUND_SHARE of its pixels (and fewer than
 * FOREGROUND_MIN_PIXELS, so one hot voxel does not count) are brighter than FOREGROUND_LEVEL of
 * the normalised range.
 */
const FOREGROUND_LEVEL = 0.05 * 255;
const FOREGROUND_SHARE = 0.001;
const FOREGROUND_MIN_PIXELS = 3;

interface Volume {
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

function loadVolume(input: Buffer | ArrayBuffer | Uint8Array, what: 'volume' | 'mask'): Volume {
  let data = toArrayBuffer(input);
  const bytes = new Uint8Array(data, 0, Math.min(2, data.byteLength));
  if (data.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b && isCompressed(data)) {
    try {
      data = decompress(data) as ArrayBuffer;
    } catch (err) {
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

/**
 * Intensity window [lo, hi]: lo is the 0.5th percentile of all finite voxels; hi is the 99.5th
 * percentile of the voxels above the volume's minimum, so a large black background does not pull
 * it down into the tissue range.
 */
function robustRange(data: Float32Array): { lo: number; hi: number } {
  const stride = Math.max(1, Math.ceil(data.length / PERCENTILE_SAMPLE));
  const sample: number[] = [];
  for (let k = 0; k < data.length; k += stride) if (!Number.isNaN(data[k])) sample.push(data[k]);
  if (sample.length === 0) return { lo: 0, hi: 0 };
  const sorted = Float64Array.from(sample).sort();
  const at = (arr: Float64Array, p: number) => arr[Math.min(arr.length - 1, Math.max(0, Math.round(p * (arr.length - 1))))];
  const lo = at(sorted, LOW_PERCENTILE);
  const min = sorted[0];
  let first = 0;
  while (first < sorted.length && sorted[first] <= min) first++;
  const above = sorted.subarray(first);
  let hi = above.length > 0 ? at(above, HIGH_PERCENTILE) : min;
  if (!(hi > lo)) hi = sorted[sorted.length - 1];
  return { lo, hi };
}

interface Orientation {
  transposed: boolean;
  flipCols: boolean;
  flipRows: boolean;
  /** Third voxel axis points inferior (k = 0 is the top of the head). */
  reverseSlices: boolean;
  text: string;
}

/**
 * Radiological display from the header's voxel-to-world (RAS) transform, as nifti-reader-js
 * builds it (sform, qform, or pixdim scaling when neither is set): anterior at the top, the
 * patient's right on the image's left, as if looking up from the feet. Only axis permutation and
 * flips are used (no resampling), so oblique acquisitions are shown along their nearest axes.
 */
function orientation(header: NIFTI1): Orientation {
  // Without qform/sform, NIfTI's "method 1" scales voxel indices by pixdim: i right, j anterior, k superior.
  const hasTransform = header.sform_code > 0 || header.qform_code > 0;
  const a = hasTransform ? header.affine : [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  const transposed = Math.abs(a[0][1]) + Math.abs(a[1][0]) > Math.abs(a[0][0]) + Math.abs(a[1][1]);
  const colAxis = transposed ? 1 : 0;
  const rowAxis = transposed ? 0 : 1;
  const flipCols = a[0][colAxis] > 0; // voxel index runs towards the patient's right: reverse it
  const flipRows = a[1][rowAxis] > 0; // voxel index runs anterior: reverse it so anterior is row 0
  const reverseSlices = a[2][2] < 0;
  const source = header.sform_code > 0 && header.sform_code >= header.qform_code ? 'sform'
    : header.qform_code > 0 ? 'qform' : 'pixdim only (no qform/sform: assumed RAS, as nibabel does)';
  const axisName = ['i', 'j'];
  let text = `radiological: anterior at top, patient's right on image left; columns = voxel ${axisName[colAxis]}${flipCols ? ' reversed' : ''}, rows = voxel ${axisName[rowAxis]}${flipRows ? ' reversed' : ''}; slices inferior to superior; from ${source}`;
  const third = [Math.abs(a[0][2]), Math.abs(a[1][2]), Math.abs(a[2][2])];
  if (third[2] < Math.max(third[0], third[1])) {
    text += `; warning: the third voxel axis runs mostly ${third[0] > third[1] ? 'left-right' : 'front-back'}, so these slices are ${third[0] > third[1] ? 'sagittal' : 'coronal'}, not axial`;
  }
  return { transposed, flipCols, flipRows, reverseSlices, text };
}

/**
 * Axial slices of a NIfTI-1 volume (.nii or .nii.gz, first volume of a 4-D file) as 8-bit
 * greyscale images normalised per volume to the 0.5..99.5th percentile range. Background slices
 * (see FOREGROUND_*) are skipped and counted. With a mask of the same dimensions, each slice is
 * labelled 1 when the mask has any nonzero voxel in it.
 */
export function readNiftiSlices(buffer: Buffer | ArrayBuffer, mask?: Buffer | ArrayBuffer): NiftiSlices {
  const volume = loadVolume(buffer, 'volume');
  const maskVolume = mask === undefined ? undefined : loadVolume(mask, 'mask');
  const { nx, ny, nz, data } = volume;
  if (maskVolume && (maskVolume.nx !== nx || maskVolume.ny !== ny || maskVolume.nz !== nz)) {
    throw new NiftiError(
      `volume dims ${nx}x${ny}x${nz} do not match mask dims ${maskVolume.nx}x${maskVolume.ny}x${maskVolume.nz}; the mask must be the segmentation of this same volume`,
      'mask-mismatch',
    );
  }

  const { lo, hi } = robustRange(data);
  const gain = hi > lo ? 255 / (hi - lo) : 0;
  const o = orientation(volume.header);
  const width = o.transposed ? ny : nx;
  const height = o.transposed ? nx : ny;
  const plane = nx * ny;
  const minForeground = Math.max(FOREGROUND_MIN_PIXELS, Math.ceil(FOREGROUND_SHARE * plane));

  // Voxel offset within a plane for each display pixel.
  const lookup = new Int32Array(plane);
  for (let r = 0; r < height; r++) {
    const rr = o.flipRows ? height - 1 - r : r;
    for (let c = 0; c < width; c++) {
      const cc = o.flipCols ? width - 1 - c : c;
      lookup[r * width + c] = o.transposed ? rr + cc * nx : cc + rr * nx;
    }
  }

  const slices: Uint8Array[] = [];
  const sliceIndices: number[] = [];
  const labels: number[] = [];
  let skipped = 0;
  for (let s = 0; s < nz; s++) {
    const k = o.reverseSlices ? nz - 1 - s : s;
    const base = k * plane;
    const out = new Uint8Array(plane);
    let foreground = 0;
    for (let p = 0; p < plane; p++) {
      const v = data[base + lookup[p]];
      // NaN compares false everywhere and ends up 0.
      const level = v > lo ? Math.min(255, (v - lo) * gain) : 0;
      out[p] = level + 0.5;
      if (level > FOREGROUND_LEVEL) foreground++;
    }
    if (foreground < minForeground) {
      skipped++;
      continue;
    }
    slices.push(out);
    sliceIndices.push(k);
    if (maskVolume) {
      let any = 0;
      const m = maskVolume.data;
      for (let p = base; p < base + plane; p++) {
        if (m[p] !== 0 && !Number.isNaN(m[p])) { any = 1; break; }
      }
      labels.push(any);
    }
  }
  const result: NiftiSlices = { width, height, slices, sliceIndices, skipped, orientation: o.text };
  if (maskVolume) result.labels = Uint8Array.from(labels);
  return result;
}
