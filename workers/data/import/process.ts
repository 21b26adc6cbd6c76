// Turns a scanned folder into a preprocessed dataset in memory: decodes every image and NIfTI
// slice, applies the paper's preprocessing (section 5.1), groups near-duplicates (and all slices
// of one volume) so no group straddles splits, and keeps a per-file report.
import fs from 'node:fs';
import path from 'node:path';
import { preprocessSlice } from '../preprocess';
import { groupNearDuplicates, sliceDescriptor } from '../dedupe';
import { readNiftiSlices } from '../nifti';
import { NiftiError } from '../nifti-volume';
import { UNLABELLED, type Layout } from './layout';
import type { ImportProgress } from './limits';
import type { ImportLimits, ReportEntry } from '../../../lib/contracts/import';
import { decodeAll, importThreads } from './decode-pool';

// Defined by the import contract; still named here for the readers of a stored report.
export type { ReportEntry };

export interface PreparedDataset {
  size: number;
  images: Uint8Array[];
  labels: Uint8Array;
  groupOf: Int32Array;
  sources: string[];
  report: ReportEntry[];
  /** A few raw inputs beside their preprocessed result, for the before/after preview. */
  samples: { index: number; gray: Uint8Array; width: number; height: number }[];
}

const SAMPLE_COUNT = 8;

export async function prepareDataset(root: string, layout: Layout, size: number, limits: ImportLimits, onProgress?: ImportProgress): Promise<PreparedDataset> {
  const report: ReportEntry[] = layout.skipped.map((s) => ({ path: s.path, status: 'skipped', reason: s.reason }));
  const slots: ({ image: Uint8Array; descriptor: Float32Array; label: number; source: string; volume: number } | null)[] = [];
  const samples: PreparedDataset['samples'] = [];
  const total = layout.images.length + layout.volumes.length;
  let done = 0;

  const sampleEvery = Math.max(1, Math.floor(layout.images.length / SAMPLE_COUNT));
  const tasks = layout.images.map((entry, i) => ({ id: i, file: path.join(root, entry.path), size, maxFileBytes: limits.maxFileBytes, maxPixels: limits.maxPixels, keepGray: i % sampleEvery === 0 }));
  await decodeAll(tasks, importThreads(), (result) => {
    const entry = layout.images[result.id];
    if (result.ok) {
      slots[result.id] = { image: result.image, descriptor: result.descriptor, label: entry.label, source: entry.path, volume: -1 };
      if (result.gray) samples.push({ index: result.id, gray: result.gray.data, width: result.gray.width, height: result.gray.height });
    } else {
      slots[result.id] = null;
      report.push({ path: entry.path, status: 'skipped', reason: result.reason });
    }
    onProgress?.('decode', ++done, total);
  });
  // The preview samples in image order, whichever thread finished first.
  samples.sort((a, b) => a.index - b.index).splice(SAMPLE_COUNT);

  const volumeSlices: { image: Uint8Array; descriptor: Float32Array; label: number; source: string; volume: number }[] = [];
  for (const [v, volume] of layout.volumes.entries()) {
    const tooBig = [volume.path, volume.mask].find((p) => p && fs.statSync(path.join(root, p)).size > limits.maxFileBytes);
    if (tooBig) {
      report.push({ path: volume.path, status: 'skipped', reason: `${tooBig} is larger than the ${limits.maxFileBytes}-byte limit per file` });
      onProgress?.('decode', ++done, total);
      continue;
    }
    try {
      const read = (p: string) => fs.readFileSync(path.join(root, p));
      const nifti = readNiftiSlices(read(volume.path), volume.mask ? read(volume.mask) : undefined);
      for (const [z, slice] of nifti.slices.entries()) {
        const image = await preprocessSlice(slice, nifti.width, nifti.height, size);
        volumeSlices.push({ image, descriptor: sliceDescriptor(image, size), label: nifti.labels ? nifti.labels[z] : UNLABELLED, source: `${volume.path}#slice${z}`, volume: v });
      }
      report.push({ path: volume.path, status: 'imported', reason: `${nifti.slices.length} axial slices${volume.mask ? `, labelled from ${volume.mask}` : ', unlabelled (no mask)'}` });
    } catch (err) {
      if (!(err instanceof NiftiError)) throw err;
      report.push({ path: volume.path, status: 'skipped', reason: err.message });
    }
    onProgress?.('decode', ++done, total);
  }

  const kept = [...slots.filter((s): s is NonNullable<typeof s> => s !== null), ...volumeSlices];
  onProgress?.('group', 0, 1);
  const { groupOf } = groupNearDuplicates(kept.map((k) => k.image), size, { descriptors: kept.map((k) => k.descriptor) });
  mergeVolumeGroups(groupOf, kept.map((k) => k.volume));
  onProgress?.('group', 1, 1);

  const firstOfGroup = new Map<number, string>();
  kept.forEach((k, i) => {
    if (!firstOfGroup.has(groupOf[i])) firstOfGroup.set(groupOf[i], k.source);
    if (k.volume >= 0) return; // volumes are reported once, above
    const first = firstOfGroup.get(groupOf[i])!;
    report.push({ path: k.source, status: 'imported', ...(first !== k.source ? { duplicateOf: first } : {}) });
  });
  // Sample indices referred to the image list; map them to positions among the kept images.
  const keptIndex = new Map<number, number>();
  let position = 0;
  slots.forEach((s, i) => s && keptIndex.set(i, position++));
  return {
    size,
    images: kept.map((k) => k.image),
    labels: Uint8Array.from(kept.map((k) => k.label)),
    groupOf,
    sources: kept.map((k) => k.source),
    report: report.sort((a, b) => a.path.localeCompare(b.path)),
    samples: samples.filter((s) => keptIndex.has(s.index)).map((s) => ({ ...s, index: keptIndex.get(s.index)! })),
  };
}

/** Every slice of one volume belongs to one group: adjacent slices of a patient are near-copies. */
function mergeVolumeGroups(groupOf: Int32Array, volumeOf: number[]): void {
  const parent = new Map<number, number>();
  const find = (g: number): number => {
    while (parent.has(g) && parent.get(g) !== g) g = parent.get(g)!;
    return g;
  };
  const anchor = new Map<number, number>();
  volumeOf.forEach((v, i) => {
    if (v < 0) return;
    const g = find(groupOf[i]);
    const a = anchor.get(v);
    if (a === undefined) anchor.set(v, g);
    else if (find(a) !== g) parent.set(g, find(a));
  });
  for (let i = 0; i < groupOf.length; i++) groupOf[i] = find(groupOf[i]);
}
