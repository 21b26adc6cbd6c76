// How to show the slices of a NIfTI-1 volume the radiological way, from its voxel-to-world transform.
import type { NIFTI1 } from 'nifti-reader-js';

export interface Orientation {
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
export function orientation(header: NIFTI1): Orientation {
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
