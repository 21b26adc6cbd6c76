// Checks the raw Br35H-like demo data: determinism, heterogeneous canvases, the folder writer and its augmented copies.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { renderRawSlice } from '../../workers/data/phantom-raw-slice';

const scratch = await mkdtemp(path.join(tmpdir(), 'phantom-raw-test-'));
after(() => rm(scratch, { recursive: true, force: true }));

test('same arguments give the same JPEG bytes; names follow Br35H', async () => {
  const a = await renderRawSlice({ seed: 5, index: 17, tumor: true });
  const b = await renderRawSlice({ seed: 5, index: 17, tumor: true });
  assert.ok(a.jpeg.equals(b.jpeg));
  assert.equal(a.file, 'y17.jpg');
  const healthy = await renderRawSlice({ seed: 5, index: 17, tumor: false });
  assert.equal(healthy.file, 'no17.jpg');
  assert.ok(!healthy.jpeg.equals(a.jpeg));
  const otherSeed = await renderRawSlice({ seed: 6, index: 17, tumor: true });
  assert.ok(!otherSeed.jpeg.equals(a.jpeg));
});

test('canvases vary in size, aspect ratio and channels, within 150..700 px', async () => {
  const shapes: Array<{ w: number; h: number; channels: number }> = [];
  for (let i = 0; i < 30; i++) {
    const slice = await renderRawSlice({ seed: 11, index: i, tumor: i % 2 === 0 });
    const meta = await sharp(slice.jpeg).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, slice.width);
    assert.equal(meta.height, slice.height);
    shapes.push({ w: slice.width, h: slice.height, channels: meta.channels! });
  }
  for (const { w, h } of shapes) {
    assert.ok(w >= 150 && w <= 700 && h >= 150 && h <= 700, `canvas ${w}x${h} out of range`);
  }
  const ratios = shapes.map(({ w, h }) => w / h);
  assert.ok(ratios.some((r) => r === 1), 'some square canvases');
  assert.ok(ratios.some((r) => r >= 1.2), 'some landscape (4:3-like) canvases');
  assert.ok(ratios.some((r) => r <= 1 / 1.1), 'some tall canvases');
  assert.ok(new Set(shapes.map(({ w, h }) => `${w}x${h}`)).size >= 15, 'many distinct sizes');
  assert.ok(shapes.some((s) => s.channels === 1) && shapes.some((s) => s.channels === 3), 'greyscale and colour files');
});

test('the head is never cut off: the canvas border is background', async () => {
  for (let i = 0; i < 12; i++) {
    const slice = await renderRawSlice({ seed: 23, index: i, tumor: i % 3 === 0 });
    const { data, info } = await sharp(slice.jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
    const border: number[] = [];
    for (let x = 0; x < info.width; x++) border.push(data[x], data[(info.height - 1) * info.width + x]);
    for (let y = 0; y < info.height; y++) border.push(data[y * info.width], data[y * info.width + info.width - 1]);
    border.sort((p, q) => p - q);
    // Allow burned-in markers and JPEG ringing on a few border pixels, not a head crossing the edge.
    const spread = border[Math.floor(border.length * 0.97)] - border[Math.floor(border.length * 0.03)];
    assert.ok(spread < 40, `${slice.file}: border spread ${spread}`);
  }
});

/** 32x32 greyscale thumbnail for near-duplicate comparisons. */
async function thumb(file: string, flop = false): Promise<Buffer> {
  const image = sharp(file).greyscale().resize(32, 32, { fit: 'fill' });
  return (flop ? image.flop() : image).raw().toBuffer();
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

test('writer: yes/ and no/ with the requested counts, decodable files, augmented copies of earlier files', async () => {
  const dir = path.join(scratch, 'demo');
  const progress: number[] = [];
  const result = await writeRawDemoDataset(dir, { seed: 3, perClass: 20, duplicateShare: 0.1, onProgress: (done) => progress.push(done) });
  assert.equal(result.files, 40);
  assert.equal(result.duplicates, 4);
  assert.equal(result.pairs.length, 4);
  assert.equal(progress.at(-1), 40);

  const yes = (await readdir(path.join(dir, 'yes'))).sort();
  const no = (await readdir(path.join(dir, 'no'))).sort();
  assert.deepEqual(yes, Array.from({ length: 20 }, (_, i) => `y${i}.jpg`).sort());
  assert.deepEqual(no, Array.from({ length: 20 }, (_, i) => `no${i}.jpg`).sort());
  assert.deepEqual((await readdir(dir)).sort(), ['no', 'yes']);
  // Nothing staged is left beside the dataset.
  assert.deepEqual((await readdir(scratch)).filter((f) => f.includes('partial')), []);

  const { data, info } = await sharp(path.join(dir, 'yes', 'y0.jpg')).raw().toBuffer({ resolveWithObject: true });
  assert.ok(info.width >= 150 && info.height >= 150 && data.length === info.width * info.height * info.channels);

  const number = (f: string) => Number(/(\d+)\.jpg$/.exec(f)![1]);
  for (const { copy, source } of result.pairs) {
    assert.equal(copy.split('/')[0], source.split('/')[0], 'copy stays in its class');
    assert.ok(number(copy) > number(source), `${copy} copies a later file ${source}`);
    const [cm, sm] = await Promise.all([sharp(path.join(dir, copy)).metadata(), sharp(path.join(dir, source)).metadata()]);
    assert.deepEqual([cm.width, cm.height], [sm.width, sm.height]);
    // Closer to its source (allowing for a flip) than to the other files of its class.
    const folder = copy.split('/')[0];
    const files = folder === 'yes' ? yes : no;
    const src = await thumb(path.join(dir, source));
    const own = Math.min(meanAbsDiff(await thumb(path.join(dir, copy)), src), meanAbsDiff(await thumb(path.join(dir, copy), true), src));
    const others: number[] = [];
    for (const f of files) {
      const rel = `${folder}/${f}`;
      if (rel === copy || rel === source) continue;
      others.push(meanAbsDiff(await thumb(path.join(dir, rel)), src));
    }
    others.sort((p, q) => p - q);
    assert.ok(own < others[Math.floor(others.length / 2)], `${copy} vs ${source}: ${own.toFixed(1)} not below median ${others[Math.floor(others.length / 2)].toFixed(1)}`);
  }
});

test('writer refuses a non-empty target and leaves it untouched', async () => {
  const dir = path.join(scratch, 'occupied');
  await writeRawDemoDataset(dir, { seed: 1, perClass: 1 }).then(() => undefined);
  const before = await readdir(path.join(dir, 'yes'));
  await assert.rejects(writeRawDemoDataset(dir, { seed: 2, perClass: 2 }), /not empty/);
  assert.deepEqual(await readdir(path.join(dir, 'yes')), before);
  await writeFile(path.join(scratch, 'plain-file'), 'x');
  await assert.rejects(writeRawDemoDataset(path.join(scratch, 'plain-file'), { seed: 2, perClass: 1 }), /not a folder/);
  assert.equal(await readFile(path.join(scratch, 'plain-file'), 'utf8'), 'x');
});
