// Reads a Br35H-shaped folder: images under yes/ (tumour), no/ (healthy) and pred/ (unlabelled,
// inference only), at the top or one folder down; NIfTI volumes anywhere, with masks paired by
// BraTS naming (<case>_seg.nii.gz beside <case>_flair.nii.gz). Everything else is reported.
import fs from 'node:fs';
import path from 'node:path';
import { ImportError } from './limits';

export const UNLABELLED = 255;
const CLASS_DIRS: Record<string, number> = { yes: 1, no: 0, pred: UNLABELLED };
const IMAGE_EXT = /\.(jpe?g|png|bmp|tiff?|webp)$/i;
const NIFTI_EXT = /\.nii(\.gz)?$/i;
const MASK_NAME = /(^|[_-])(seg|mask|label|labels)$/i;

export interface ImageEntry {
  path: string;
  label: number;
}
export interface VolumeEntry {
  path: string;
  mask: string | null;
}
export interface SkippedEntry {
  path: string;
  reason: string;
}
export interface Layout {
  images: ImageEntry[];
  volumes: VolumeEntry[];
  skipped: SkippedEntry[];
}

function walk(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

const stem = (p: string) => path.basename(p).replace(NIFTI_EXT, '');

export function scanLayout(root: string): Layout {
  const layout: Layout = { images: [], volumes: [], skipped: [] };
  const files = walk(root);
  if (files.length === 0) throw new ImportError('the folder is empty: expected yes/ and no/ folders of MRI images (Br35H layout) or NIfTI volumes');
  const niftis = files.filter((f) => NIFTI_EXT.test(f));
  const masks = new Map(niftis.filter((f) => MASK_NAME.test(stem(f))).map((f) => [`${path.dirname(f)}/${stem(f).replace(MASK_NAME, '')}`, f]));
  for (const file of files) {
    const parts = file.split('/');
    const base = parts.at(-1)!;
    if (base.startsWith('.') || parts.includes('__MACOSX')) continue; // OS metadata, not data
    if (NIFTI_EXT.test(file)) {
      if (MASK_NAME.test(stem(file))) continue;
      const caseKey = `${path.dirname(file)}/${stem(file).replace(/[_-][^_-]+$/, '')}`;
      layout.volumes.push({ path: file, mask: masks.get(caseKey) ?? masks.get(`${path.dirname(file)}/${stem(file)}`) ?? null });
      continue;
    }
    const classDir = parts.slice(0, -1).slice(-1)[0]?.toLowerCase();
    const depthOk = parts.length === 2 || parts.length === 3;
    if (!IMAGE_EXT.test(base)) layout.skipped.push({ path: file, reason: 'not an image file (expected JPEG, PNG, BMP, TIFF or WebP)' });
    else if (!classDir || !(classDir in CLASS_DIRS) || !depthOk) layout.skipped.push({ path: file, reason: 'not inside a yes/, no/ or pred/ folder' });
    else layout.images.push({ path: file, label: CLASS_DIRS[classDir] });
  }
  const labelled = layout.images.filter((i) => i.label !== UNLABELLED).length;
  if (labelled === 0 && layout.volumes.length === 0) {
    const top = [...new Set(files.map((f) => f.split('/')[0]))].slice(0, 8).join(', ');
    throw new ImportError(`wrong layout: no images in yes/ or no/ folders and no NIfTI volumes (found: ${top})`);
  }
  return layout;
}
