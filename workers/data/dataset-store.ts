// Preprocessed datasets on disk: one folder per immutable version with the pixels as raw uint8
// (N x S x S, row-major), the labels (1 = tumour, 0 = healthy) and a small meta.json.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

export interface DatasetFiles {
  size: number;
  count: number;
  images: Uint8Array;
  labels: Uint8Array;
}

export function datasetHash(images: Uint8Array[], labels: Uint8Array, size: number): string {
  const hash = crypto.createHash('sha256');
  hash.update(`size=${size};count=${images.length};`);
  hash.update(labels);
  for (const image of images) hash.update(image);
  return hash.digest('hex');
}

/** The content hash of a dataset read from disk (what it was stored under, if it is intact). */
export function datasetFilesHash(files: DatasetFiles): string {
  const pixels = files.size * files.size;
  return datasetHash(Array.from({ length: files.count }, (_, i) => files.images.subarray(i * pixels, (i + 1) * pixels)), files.labels, files.size);
}

/** Writes into a temporary folder and renames it into place, so a crash leaves no half dataset.
 * `extras` are further files of the version (groups, report, previews). */
export function writeDatasetFiles(dir: string, size: number, images: Uint8Array[], labels: Uint8Array, extras: Record<string, Uint8Array | string> = {}): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const pixels = Buffer.allocUnsafe(images.length * size * size);
  images.forEach((image, i) => pixels.set(image, i * size * size));
  fs.writeFileSync(path.join(tmp, 'images.u8'), pixels);
  fs.writeFileSync(path.join(tmp, 'labels.u8'), labels);
  fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify({ size, count: images.length }));
  for (const [name, content] of Object.entries(extras)) fs.writeFileSync(path.join(tmp, name), content);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

export function readDatasetFiles(dir: string): DatasetFiles {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { size: number; count: number };
  const images = new Uint8Array(fs.readFileSync(path.join(dir, 'images.u8')));
  const labels = new Uint8Array(fs.readFileSync(path.join(dir, 'labels.u8')));
  if (images.length !== meta.count * meta.size * meta.size || labels.length !== meta.count) {
    throw new Error(`dataset files in ${dir} are inconsistent with meta.json (re-import the dataset)`);
  }
  return { size: meta.size, count: meta.count, images, labels };
}
