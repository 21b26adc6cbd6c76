// Two imports of the same folder at once (here with two database connections, as the dashboard and
// the command line on one DATA_DIR would have) end with one dataset: both answer with its id, one
// of them "already imported", and its files are complete; a folder left without its row is replaced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { openDb, type Db } from '../../db/client';
import { datasets } from '../../db/schema';
import { listDatasets } from '../../db/queries/datasets';
import { importDataset } from '../../server/datasets/import';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { readDatasetFiles } from '../../workers/data/dataset-store';

let work: string;
let dataDir: string;
let raw: string;
let first: Db;
let second: Db;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-concurrent-import-'));
  dataDir = path.join(work, 'data');
  raw = path.join(work, 'raw');
  first = openDb(dataDir);
  second = openDb(dataDir);
  await writeRawDemoDataset(raw, { seed: 3, perClass: 30, duplicateShare: 0 });
});
after(() => {
  first.$client.close();
  second.$client.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test('two imports of the same folder at once end with one dataset and its files intact', async () => {
  const [a, b] = await Promise.all([
    importDataset(first, dataDir, { source: raw, size: 32 }),
    importDataset(second, dataDir, { source: raw, size: 32 }),
  ]);
  assert.equal(a.dataset.id, b.dataset.id);
  assert.deepEqual([a.alreadyImported, b.alreadyImported].sort(), [false, true]);
  assert.equal(listDatasets(first).length, 1);
  const files = readDatasetFiles(path.join(dataDir, a.dataset.dir));
  assert.equal(files.images.length, a.dataset.count * 32 * 32);
  assert.deepEqual(fs.readdirSync(path.join(dataDir, 'tmp')), []);
});

test('a folder left without its row (a process stopped between rename and insert) is replaced', async () => {
  const [stored] = listDatasets(first);
  first.delete(datasets).where(eq(datasets.id, stored.id)).run();
  fs.writeFileSync(path.join(dataDir, stored.dir, 'half-written'), 'x');
  const again = await importDataset(second, dataDir, { source: raw, size: 32 });
  assert.equal(again.dataset.id, stored.id);
  assert.equal(again.alreadyImported, false);
  assert.equal(fs.existsSync(path.join(dataDir, stored.dir, 'half-written')), false);
  assert.equal(readDatasetFiles(path.join(dataDir, stored.dir)).images.length, stored.count * 32 * 32);
  assert.deepEqual(fs.readdirSync(path.join(dataDir, 'tmp')), []);
});
