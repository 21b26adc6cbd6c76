// Dataset import end to end on a Br35H-shaped raw set: the report, the grouping, the splits, and
// bad input that must leave nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import zlib from 'node:zlib';
import { writeNifti } from '../helpers/nifti';
import { openDb, type Db } from '../../db/client';
import { listDatasets } from '../../db/queries/datasets';
import { importDataset } from '../../server/datasets/import';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { readDatasetFiles } from '../../workers/data/dataset-store';
import { ImportError } from '../../workers/data/import/limits';
import { traversalZip, zipFolder } from '../helpers/zip';

let work: string;
let dataDir: string;
let raw: string;
let db: Db;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-import-'));
  dataDir = path.join(work, 'data');
  raw = path.join(work, 'raw');
  db = openDb(dataDir);
  await writeRawDemoDataset(raw, { seed: 7, perClass: 40, duplicateShare: 0.1 });
  // What a real download also holds: a truncated JPEG, a stray text file, a file outside yes/no.
  const good = fs.readFileSync(path.join(raw, 'yes', fs.readdirSync(path.join(raw, 'yes'))[0]));
  fs.writeFileSync(path.join(raw, 'yes', 'broken.jpg'), good.subarray(0, 200));
  fs.writeFileSync(path.join(raw, 'no', 'notes.txt'), 'scanner notes');
  fs.writeFileSync(path.join(raw, 'stray.jpg'), good);
  fs.mkdirSync(path.join(raw, 'pred'));
  fs.writeFileSync(path.join(raw, 'pred', 'p0.jpg'), good);
});
after(() => {
  db.$client.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const leftovers = () => ({
  rows: listDatasets(db).length,
  dirs: fs.existsSync(path.join(dataDir, 'datasets')) ? fs.readdirSync(path.join(dataDir, 'datasets')).length : 0,
  tmp: fs.existsSync(path.join(dataDir, 'tmp')) ? fs.readdirSync(path.join(dataDir, 'tmp')).length : 0,
});

test('a Br35H-shaped folder imports with a per-file report, groups and leakage-free splits', async () => {
  const result = await importDataset(db, dataDir, { source: raw, name: 'raw-folder' });
  assert.equal(result.imported, 81, 'all 80 labelled images and the pred/ one are kept');
  assert.equal(result.dataset.classCounts.unlabelled, 1);
  const skipped = Object.fromEntries(result.report.filter((r) => r.status === 'skipped').map((r) => [r.path, r.reason ?? '']));
  assert.match(skipped['yes/broken.jpg'], /corrupt|truncated/i);
  assert.match(skipped['no/notes.txt'], /not an image/);
  assert.match(skipped['stray.jpg'], /yes\/, no\/ or pred\//);
  assert.ok(result.duplicateGroups >= 4, `only ${result.duplicateGroups} near-duplicate groups found among 8 augmented copies`);

  const files = readDatasetFiles(path.join(dataDir, result.dataset.dir));
  assert.equal(files.count, 81);
  assert.equal(files.size, 128);
  const groups = new Int32Array(Uint8Array.from(fs.readFileSync(path.join(dataDir, result.dataset.dir, 'groups.i32'))).buffer);
  const splitOf = new Map<number, string>();
  for (const [name, idx] of Object.entries({ train: result.dataset.splits.train, val: result.dataset.splits.val, test: result.dataset.splits.test })) {
    for (const i of idx) {
      const seen = splitOf.get(groups[i]);
      assert.ok(!seen || seen === name, `group ${groups[i]} is in both ${seen} and ${name}`);
      splitOf.set(groups[i], name);
      assert.notEqual(files.labels[i], 255, 'an unlabelled image was put in a split');
    }
  }
  const anomaly = result.dataset.anomalySplits!;
  assert.ok(anomaly.train.every((i) => files.labels[i] === 0), 'the anomaly detector trains on healthy images only');

  const again = await importDataset(db, dataDir, { source: raw });
  assert.equal(again.alreadyImported, true);
  assert.equal(again.dataset.id, result.dataset.id);
});

test('the same data as a zip imports to the same content', async () => {
  const zip = path.join(work, 'br35h.zip');
  await zipFolder(raw, zip);
  const result = await importDataset(db, dataDir, { source: zip });
  assert.equal(result.alreadyImported, true, 'a zip of the same folder is the same dataset version');
});

test('bad input gets a clear error and leaves nothing half-imported', async () => {
  const before = leftovers();
  const image = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 80, g: 80, b: 80 } } }).jpeg().toBuffer();
  const cases: [string, () => Promise<unknown>, RegExp][] = [];
  const empty = path.join(work, 'empty');
  fs.mkdirSync(empty);
  cases.push(['empty folder', () => importDataset(db, dataDir, { source: empty }), /empty/]);
  const wrong = path.join(work, 'wrong');
  fs.mkdirSync(path.join(wrong, 'images'), { recursive: true });
  fs.writeFileSync(path.join(wrong, 'images', 'a.jpg'), image);
  cases.push(['wrong layout', () => importDataset(db, dataDir, { source: wrong }), /wrong layout.*images/]);
  const evil = path.join(work, 'evil.zip');
  await traversalZip(evil, image);
  cases.push(['path traversal', () => importDataset(db, dataDir, { source: evil }), /\.\.\/evil\.jpg.*climbs out/]);
  const big = path.join(work, 'big.zip');
  await zipFolder(raw, big);
  cases.push(['expands past the cap', () => importDataset(db, dataDir, { source: big, limits: { maxExtractedBytes: 50_000 } }), /limit/]);
  cases.push(['too many pixels', () => importDataset(db, dataDir, { source: raw, name: 'tiny-cap', limits: { maxPixels: 100 } }), /no labelled image could be imported.*megapixel|no labelled image could be imported.*limit/]);
  const notZip = path.join(work, 'fake.zip');
  fs.writeFileSync(notZip, 'this is not a zip');
  cases.push(['not a zip', () => importDataset(db, dataDir, { source: notZip }), /not a readable zip/]);
  for (const [label, run, message] of cases) {
    await assert.rejects(run, (err: unknown) => err instanceof ImportError && message.test(err.message), label);
    assert.deepEqual(leftovers(), before, `${label} left something behind`);
  }
});

test('NIfTI volumes with BraTS-named masks import as labelled slices, one group per volume', async () => {
  const dir = path.join(work, 'brats');
  fs.mkdirSync(dir);
  const [nx, ny, nz] = [48, 40, 16];
  // Two different heads (shape, tumour place), so only the per-volume rule can group their slices.
  for (const [c, rx, ry, cx, cy] of [['case_001', 20, 16, 16, 20], ['case_002', 14, 18, 28, 10]] as const) {
    const volume = new Int16Array(nx * ny * nz);
    const mask = new Uint8Array(nx * ny * nz);
    for (let z = 2; z < 14; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
      const i = x + y * nx + z * nx * ny;
      if (((x - 23.5) / rx) ** 2 + ((y - 19.5) / ry) ** 2 < 1) volume[i] = 300 + ((x * 5 + y * 3 + z) % 40);
      // Preprocessing fills the frame with any head, so give the second one its own anatomy.
      if (c === 'case_002' && Math.abs(x - 20) < 3 && Math.abs(y - 22) < 9) volume[i] = 60;
      if ((x - cx) ** 2 + (y - cy) ** 2 + (z - 8) ** 2 <= 9) { volume[i] = 900; mask[i] = 1; }
    }
    fs.writeFileSync(path.join(dir, `${c}_flair.nii.gz`), zlib.gzipSync(writeNifti({ dims: [nx, ny, nz], voxels: volume })));
    fs.writeFileSync(path.join(dir, `${c}_seg.nii.gz`), zlib.gzipSync(writeNifti({ dims: [nx, ny, nz], voxels: mask })));
  }
  const result = await importDataset(db, dataDir, { source: dir, name: 'brats-like' });
  assert.equal(result.imported, 24, '12 non-empty axial slices from each of the two volumes');
  assert.equal(result.dataset.classCounts.tumor, 14, 'slices 5..11 of each volume touch its tumour sphere (radius 3 around z = 8)');
  const groups = new Int32Array(Uint8Array.from(fs.readFileSync(path.join(dataDir, result.dataset.dir, 'groups.i32'))).buffer);
  assert.equal(new Set(groups).size, 2, 'adjacent slices of a patient share its group');
  assert.ok(result.report.some((r) => r.path === 'case_001_flair.nii.gz' && /labelled from case_001_seg\.nii\.gz/.test(r.reason ?? '')));
});
