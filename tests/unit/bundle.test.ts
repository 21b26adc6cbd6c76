// Bundles and the agent's dataset cache: a folder arrives byte for byte or not at all (a wrong
// hash, an oversized or broken stream, a link or a path outside the folder leave the old folder
// and no temporary files); a dataset is cached only when it hashes to its name, and the cache
// drops the versions used longest ago to stay under its cap, never one in use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import { BundleError, packBundle, receiveBundle } from '../../workers/data/bundle';
import { datasetHash, writeDatasetFiles } from '../../workers/data/dataset-store';
import { DatasetCache } from '../../workers/agent/dataset-cache';
import type { ServerFiles } from '../../workers/agent/server-files';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));

function folder(root: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

/** Everything under a folder as { relative path: content }. */
function read(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) Object.assign(out, read(dir, rel));
    else out[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  }
  return out;
}

test('a bundle arrives byte for byte and replaces the folder that was there', async () => {
  const root = tmp();
  const source = folder(path.join(root, 'src'), { 'a.json': '{"x":1}', 'epoch-0002/weights.bin': 'w'.repeat(5000), 'epoch-0002/meta.json': '{}' });
  const target = folder(path.join(root, 'out', 'resume'), { 'stale.txt': 'old' });
  const packed = await packBundle(source, path.join(root, 'tmp'));
  const again = await packBundle(source, path.join(root, 'tmp'));
  assert.equal(again.sha256, packed.sha256, 'the same folder packs to the same bytes');
  await receiveBundle(fs.createReadStream(packed.file), packed.sha256, target, 1e6);
  assert.deepEqual(read(target), read(source));
  assert.deepEqual(fs.readdirSync(path.join(root, 'out')), ['resume'], 'no temporary folder or tar is left');
});

test('a wrong hash, an oversized or a broken stream leaves the old folder and nothing else', async () => {
  const root = tmp();
  const source = folder(path.join(root, 'src'), { 'weights.bin': 'x'.repeat(20_000) });
  const target = folder(path.join(root, 'out', 'epoch-0001'), { 'weights.bin': 'old' });
  const packed = await packBundle(source, path.join(root, 'tmp'));
  const before = read(target);
  const wrong = packed.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  await assert.rejects(receiveBundle(fs.createReadStream(packed.file), wrong, target, 1e6), (err: Error) => err instanceof BundleError && /sha256/.test(err.message));
  await assert.rejects(receiveBundle(fs.createReadStream(packed.file), packed.sha256, target, 10_000), (err: Error) => err instanceof BundleError && /larger than/.test(err.message));
  const broken = new Readable({
    read() {
      this.push(Buffer.alloc(4096));
      this.destroy(new Error('connection reset'));
    },
  });
  await assert.rejects(receiveBundle(broken, packed.sha256, target, 1e6), /connection reset/);
  await assert.rejects(receiveBundle(fs.createReadStream(packed.file), 'not-a-hash', target, 1e6), /no valid sha256/);
  assert.deepEqual(read(target), before);
  assert.deepEqual(fs.readdirSync(path.join(root, 'out')), ['epoch-0001']);
});

test('a bundle holding a link or a path outside its folder is refused whole', async () => {
  const root = tmp();
  const source = folder(path.join(root, 'src'), { 'ok.txt': 'fine' });
  fs.symlinkSync('/etc/passwd', path.join(source, 'link'));
  const file = path.join(root, 'evil.tar');
  await tar.c({ file, cwd: source, portable: true }, ['ok.txt', 'link']);
  const { sha256OfFile } = await import('../../workers/data/bundle');
  const target = path.join(root, 'out', 'staging');
  await assert.rejects(receiveBundle(fs.createReadStream(file), await sha256OfFile(file), target, 1e6), (err: Error) => err instanceof BundleError && /not a plain file/.test(err.message));
  assert.ok(!fs.existsSync(target));
  assert.deepEqual(fs.readdirSync(path.join(root, 'out')), []);
});

/** A dataset version of `count` images of size 8 whose pixels start at `seed`. */
function dataset(root: string, seed: number, count = 40) {
  const images = Array.from({ length: count }, (_, i) => Uint8Array.from({ length: 64 }, (_, j) => (seed + i * 7 + j) % 256));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 2);
  const hash = datasetHash(images, labels, 8);
  const dir = path.join(root, 'server', hash);
  writeDatasetFiles(dir, 8, images, labels);
  return { hash, dir };
}

/** A server that sends the folder it holds under a hash (or another one, when told to lie). */
function fakeServer(root: string, folders: Map<string, string>): ServerFiles & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    fetchDataset: async (hash: string, target: string) => {
      fetched.push(hash);
      const dir = folders.get(hash);
      if (!dir) return null;
      const packed = await packBundle(dir, path.join(root, 'tmp'));
      return receiveBundle(fs.createReadStream(packed.file), packed.sha256, target, 1e9);
    },
  } as unknown as ServerFiles & { fetched: string[] };
}

test('the dataset cache keeps a version only when it hashes to its name, and fetches it once', async () => {
  const root = tmp();
  const a = dataset(root, 1);
  const b = dataset(root, 2);
  const server = fakeServer(root, new Map([[a.hash, a.dir], [b.hash, a.dir]])); // b's name, a's pixels
  const cache = new DatasetCache(path.join(root, 'cache'), 1e9, server, () => {});
  const first = await cache.acquire(a.hash);
  assert.ok(first.bytes > 0);
  assert.equal((await cache.acquire(a.hash)).bytes, 0, 'the second time comes from the cache');
  assert.deepEqual(server.fetched, [a.hash]);
  await assert.rejects(cache.acquire(b.hash), /arrived with content hash .* refused/);
  assert.ok(!fs.existsSync(path.join(root, 'cache', b.hash)), 'nothing of the forged version stays');
  await assert.rejects(cache.acquire('f'.repeat(64)), /no dataset with content hash/);
});

test('the dataset cache drops the versions used longest ago to fit its cap, never one in use', async () => {
  const root = tmp();
  const sets = [1, 2, 3].map((seed) => dataset(root, seed));
  const server = fakeServer(root, new Map(sets.map((s) => [s.hash, s.dir])));
  const oneVersion = 40 * 64 + 40 + 40; // pixels, labels, meta.json (about)
  const cache = new DatasetCache(path.join(root, 'cache'), oneVersion * 2, server, () => {});
  await cache.acquire(sets[0].hash); // pinned: in use
  await cache.acquire(sets[1].hash);
  cache.release(sets[1].hash);
  await new Promise((r) => setTimeout(r, 20));
  await cache.acquire(sets[2].hash);
  const kept = fs.readdirSync(path.join(root, 'cache')).sort();
  assert.deepEqual(kept, [sets[0].hash, sets[2].hash].sort(), 'the unpinned older version went; the pinned one stayed');
});
