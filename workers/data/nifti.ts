// Reads NIfTI-1 volumes (.nii / .nii.gz) into 8-bit axial slices, optionally labelled from a segmentation mask.
import { orientation } from './nifti-orientation';
import { NiftiError, loadVolume } from './nifti-volume';

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
