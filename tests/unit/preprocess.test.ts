// Checks the paper's preprocessing on hard raw inputs (grey, noisy, graded backgrounds, burned-in
// labels, rulers, off-centre and letterboxed heads, blank frames) and the decoder in front of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { ImageDecodeError, decodeToGray } from '../../workers/data/decode';
import { generatePhantom } from '../../workers/data/phantom';
import { type Box, findBrainBox, preprocessSlice } from '../../workers/data/preprocess';

interface Raw { data: Uint8Array; width: number; height: number }

let state = 1;
/** Seeded standard normal draws (Box-Muller on an LCG), so every run sees the same noise. */
function gauss(): number {
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
}

function canvas(width: number, height: number, background: (x: number, y: number) => number, noise = 0): Raw {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    data[y * width + x] = Math.max(0, Math.min(255, Math.round(background(x, y) + noise * gauss())));
  }
  return { data, width, height };
}

/**
 * Adds a phantom head as signal on top of the background (bg + p * (255 - bg) / 255, like a
 * windowing offset) at (x0, y0), and returns the head's true extent: pixels whose 5x5 mean is
 * above 30 in the phantom, so its own background noise does not count.
 */
function pasteHead(c: Raw, index: number, size: number, x0: number, y0: number): Box {
  const p = generatePhantom({ seed: 21, index, tumor: index % 2 === 0, size });
  const truth = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let sum = 0, n = 0;
    for (let yy = Math.max(0, y - 2); yy <= Math.min(size - 1, y + 2); yy++) for (let xx = Math.max(0, x - 2); xx <= Math.min(size - 1, x + 2); xx++) { sum += p[yy * size + xx]; n++; }
    if (sum / n > 30) {
      truth.x0 = Math.min(truth.x0, x0 + x); truth.y0 = Math.min(truth.y0, y0 + y);
      truth.x1 = Math.max(truth.x1, x0 + x + 1); truth.y1 = Math.max(truth.y1, y0 + y + 1);
    }
    const X = x0 + x, Y = y0 + y;
    if (X < 0 || Y < 0 || X >= c.width || Y >= c.height) continue;
    const bg = c.data[Y * c.width + X];
    c.data[Y * c.width + X] = Math.min(255, Math.round(bg + (p[y * size + x] * (255 - bg)) / 255));
  }
  return { x0: Math.max(0, truth.x0), y0: Math.max(0, truth.y0), x1: Math.min(c.width, truth.x1), y1: Math.min(c.height, truth.y1) };
}

function fill(c: Raw, x0: number, y0: number, x1: number, y1: number, value: number): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) c.data[y * c.width + x] = value;
}

/** Burned-in annotation: a few letter-like strokes 2-3 px wide. */
function letters(c: Raw, x0: number, y0: number, value = 250): void {
  for (let k = 0; k < 4; k++) {
    const x = x0 + k * 14;
    fill(c, x, y0, x + 3, y0 + 16, value); // stem
    fill(c, x, y0 + (k % 2 ? 0 : 13), x + 10, y0 + (k % 2 ? 3 : 16), value); // bar
  }
}

/** The box must contain the whole head and be at most `slack` px looser on each side. */
function assertTight(box: Box, truth: Box, slack: number, what: string): void {
  const gaps = [truth.x0 - box.x0, truth.y0 - box.y0, box.x1 - truth.x1, box.y1 - truth.y1];
  const msg = `${what}: box ${JSON.stringify(box)} vs head ${JSON.stringify(truth)}`;
  assert.ok(gaps.every((g) => g >= 0), `${msg} crops the head`);
  assert.ok(gaps.every((g) => g <= slack), `${msg} is loose`);
}

const cases: { name: string; make: () => { raw: Raw; truth: Box } }[] = [
  { name: 'black background', make: () => { const raw = canvas(300, 300, () => 0, 2); return { raw, truth: pasteHead(raw, 1, 220, 40, 30) }; } },
  { name: 'uniform grey background', make: () => { const raw = canvas(300, 260, () => 110); return { raw, truth: pasteHead(raw, 2, 200, 60, 30) }; } },
  { name: 'noisy grey background', make: () => { const raw = canvas(400, 400, () => 90, 12); return { raw, truth: pasteHead(raw, 3, 260, 70, 80) }; } },
  { name: 'gradient background', make: () => { const raw = canvas(420, 360, (x, y) => 20 + (120 * x) / 420 + (30 * y) / 360, 3); return { raw, truth: pasteHead(raw, 4, 280, 60, 40) }; } },
  {
    name: 'bright text block and letters in corners',
    make: () => {
      const raw = canvas(500, 400, () => 70, 5);
      const truth = pasteHead(raw, 5, 240, 200, 80);
      fill(raw, 10, 330, 150, 385, 255); // solid label
      letters(raw, 12, 12);
      letters(raw, 430, 370);
      return { raw, truth };
    },
  },
  {
    name: 'thin ruler along an edge',
    make: () => {
      const raw = canvas(320, 320, () => 0, 3);
      const truth = pasteHead(raw, 6, 250, 20, 35);
      fill(raw, 300, 5, 302, 315, 230);
      for (let y = 10; y < 315; y += 20) fill(raw, 293, y, 302, y + 2, 230);
      return { raw, truth };
    },
  },
  {
    name: 'head filling the frame, letters inside its box corners',
    make: () => {
      const raw = canvas(300, 300, () => 0, 3);
      const truth = pasteHead(raw, 12, 300, 0, 0);
      letters(raw, truth.x0 + 3, truth.y0 + 3, 230);
      letters(raw, truth.x1 - 60, truth.y1 - 20, 230);
      return { raw, truth };
    },
  },
  { name: 'small off-centre brain', make: () => { const raw = canvas(512, 512, () => 0, 2); return { raw, truth: pasteHead(raw, 7, 110, 370, 40) }; } },
  {
    name: 'black scan letterboxed in a grey frame',
    make: () => {
      const raw = canvas(400, 400, () => 128);
      fill(raw, 70, 60, 330, 320, 0);
      const head = canvas(260, 260, () => 0, 3);
      const truth = pasteHead(head, 8, 230, 15, 15);
      for (let y = 0; y < 260; y++) raw.data.set(head.data.subarray(y * 260, y * 260 + 260), (60 + y) * 400 + 70);
      return { raw, truth: { x0: truth.x0 + 70, y0: truth.y0 + 60, x1: truth.x1 + 70, y1: truth.y1 + 60 } };
    },
  },
];

for (const c of cases) {
  test(`bounding box: ${c.name}`, () => {
    const { raw, truth } = c.make();
    const box = findBrainBox(raw.data, raw.width, raw.height);
    assertTight(box, truth, Math.max(8, Math.round(0.025 * Math.max(raw.width, raw.height))), c.name);
  });
}

test('a blank, a flat, a 1x1 and a noise-only image give the full frame without crashing', () => {
  for (const raw of [canvas(200, 150, () => 0), canvas(64, 64, () => 128), canvas(1, 1, () => 30), canvas(300, 300, () => 100, 6)]) {
    assert.deepEqual(findBrainBox(raw.data, raw.width, raw.height), { x0: 0, y0: 0, x1: raw.width, y1: raw.height });
  }
  assert.throws(() => findBrainBox(new Uint8Array(10), 4, 4), RangeError);
});

/** Extent of output pixels above `level`, as margins to each edge. */
function margins(img: Uint8Array, size: number, level = 20): { left: number; right: number; top: number; bottom: number } {
  let x0 = size, y0 = size, x1 = -1, y1 = -1;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    if (img[y * size + x] <= level) continue;
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return { left: x0, right: size - 1 - x1, top: y0, bottom: size - 1 - y1 };
}

test('preprocessed heads are whole, centred, fill the frame and sit on a black background', async () => {
  const S = 128;
  for (const c of cases) {
    const { raw, truth } = c.make();
    const out = await preprocessSlice(raw.data, raw.width, raw.height, S);
    assert.equal(out.length, S * S);
    const m = margins(out, S);
    const what = `${c.name}: margins ${JSON.stringify(m)}`;
    assert.ok(Math.min(m.left, m.right, m.top, m.bottom) >= 0 && m.left + m.right < S, `${what}: empty output`);
    assert.ok(Math.abs(m.left - m.right) <= 3 && Math.abs(m.top - m.bottom) <= 3, `${what}: not centred`);
    assert.ok(Math.min(m.left + m.right, m.top + m.bottom) <= 10, `${what}: the longer side does not fill the frame`);
    // Aspect ratio kept: the output's head has the raw head's width / height.
    const rawAspect = (truth.x1 - truth.x0) / (truth.y1 - truth.y0);
    const outAspect = (S - m.left - m.right) / (S - m.top - m.bottom);
    assert.ok(Math.abs(outAspect / rawAspect - 1) < 0.06, `${what}: aspect ${outAspect.toFixed(3)} vs ${rawAspect.toFixed(3)}`);
    // Beyond the head's extent (padding, grey background, labels) only background remains: 0, or
    // the scan's own noise in a thin rim kept around the head (a few pixels above 8 on noisy scans).
    let bright = 0, noisy = 0;
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const inside = x >= m.left - 2 && x < S - m.right + 2 && y >= m.top - 2 && y < S - m.bottom + 2;
      if (!inside && out[y * S + x] > 40) bright++;
      if (!inside && out[y * S + x] > 8) noisy++;
    }
    assert.equal(bright, 0, `${what}: ${bright} bright pixels (labels or grey background) outside the head`);
    assert.ok(noisy < 0.002 * S * S, `${what}: ${noisy} noisy pixels outside the head`);
    // The corners of the head's box are background around an oval head, whatever the raw background
    // was, and labels there are gone.
    for (const [y0, x0] of [[m.top, m.left], [m.top, S - m.right - 6], [S - m.bottom - 6, m.left], [S - m.bottom - 6, S - m.right - 6]]) {
      const corner: number[] = [];
      for (let y = y0; y < y0 + 6; y++) for (let x = x0; x < x0 + 6; x++) corner.push(out[y * S + x]);
      assert.ok(Math.max(...corner) < 40, `${what}: background or a label left in the corner at ${x0},${y0}`);
    }
  }
});

test('a wide head is letterboxed: rows above and below are the shared black background', async () => {
  const raw = canvas(600, 300, () => 60, 4);
  const p = generatePhantom({ seed: 3, index: 9, tumor: true, size: 200 });
  const wide = await sharp(p, { raw: { width: 200, height: 200, channels: 1 } }).resize(320, 180, { fit: 'fill' }).greyscale().raw().toBuffer();
  for (let y = 0; y < 180; y++) for (let x = 0; x < 320; x++) raw.data[(60 + y) * 600 + 140 + x] = Math.min(255, 60 + Math.round((wide[y * 320 + x] * 195) / 255));
  const out = await preprocessSlice(raw.data, raw.width, raw.height, 64);
  const m = margins(out, 64);
  assert.ok(m.top >= 6 && Math.abs(m.top - m.bottom) <= 2, `letterbox margins ${JSON.stringify(m)}`);
  // The padding bands (outside the box, one row spared for the resampling kernel) are exactly 0.
  const box = findBrainBox(raw.data, raw.width, raw.height);
  const side = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  const pad = Math.floor((((side - (box.y1 - box.y0)) / 2) * 64) / side) - 1;
  assert.ok(pad > 5, `box ${JSON.stringify(box)} should be wide`);
  assert.ok(out.subarray(0, pad * 64).every((v) => v === 0) && out.subarray((64 - pad) * 64).every((v) => v === 0), 'padding is not pure background');
});

test('a blank image is kept whole and unchanged (only resized), so a failed detection stays visible', async () => {
  const out = await preprocessSlice(canvas(200, 200, () => 100).data, 200, 200, 32);
  assert.equal(out.length, 32 * 32);
  assert.ok(out.every((v) => v === 100));
});

test('decoder: formats, EXIF orientation, BMP, and errors a user can act on', async () => {
  const rgb = Buffer.alloc(30 * 20 * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 7) % 256;
  const raw = { raw: { width: 30, height: 20, channels: 3 as const } };
  const png = await decodeToGray(await sharp(rgb, raw).png().toBuffer(), { maxPixels: 1e6 });
  assert.deepEqual([png.width, png.height, png.data.length], [30, 20, 600]);
  for (const encode of [(s: Sharp) => s.webp({ lossless: true }), (s: Sharp) => s.tiff({ compression: 'lzw' })]) {
    assert.deepEqual((await decodeToGray(await encode(sharp(rgb, raw)).toBuffer(), { maxPixels: 1e6 })).data, png.data);
  }
  // A 24-bit bottom-up BMP with padded rows decodes to the same pixels as the PNG.
  const stride = 92, bmp = Buffer.alloc(54 + stride * 20);
  bmp.write('BM'); bmp.writeUInt32LE(bmp.length, 2); bmp.writeUInt32LE(54, 10); bmp.writeUInt32LE(40, 14);
  bmp.writeInt32LE(30, 18); bmp.writeInt32LE(20, 22); bmp.writeUInt16LE(1, 26); bmp.writeUInt16LE(24, 28);
  for (let y = 0; y < 20; y++) for (let x = 0; x < 30; x++) for (let ch = 0; ch < 3; ch++) bmp[54 + (19 - y) * stride + 3 * x + ch] = rgb[(y * 30 + x) * 3 + 2 - ch];
  assert.deepEqual((await decodeToGray(bmp, { maxPixels: 1e6 })).data, png.data);
  // EXIF orientation 6 (rotate 90 degrees) is applied: 30x20 comes out 20x30.
  const rotated = await sharp(rgb, raw).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  assert.deepEqual([(await decodeToGray(rotated, { maxPixels: 1e6 })).width, (await decodeToGray(rotated, { maxPixels: 1e6 })).height], [20, 30]);

  const fails = async (input: Buffer, maxPixels: number, pattern: RegExp) => {
    await assert.rejects(decodeToGray(input, { maxPixels }), (err: unknown) => err instanceof ImageDecodeError && pattern.test(err.message));
  };
  await fails(Buffer.from('just some text'), 1e6, /not an image/);
  await fails(Buffer.alloc(0), 1e6, /empty/);
  const jpeg = await sharp(rgb, raw).jpeg().toBuffer();
  await fails(jpeg.subarray(0, jpeg.length - 40), 1e6, /truncated or corrupt JPEG/);
  await fails(bmp.subarray(0, 300), 1e6, /truncated or corrupt BMP/);
  await fails(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'), 1e6, /SVG files are not supported/);
  // A decompression bomb: a tiny PNG whose header claims 20000 x 20000 is refused before decoding.
  const bomb = Buffer.from(await sharp(Buffer.alloc(64 * 64), { raw: { width: 64, height: 64, channels: 1 } }).png().toBuffer());
  bomb.writeUInt32BE(20000, 16); bomb.writeUInt32BE(20000, 20); bomb.writeUInt32BE(zlib.crc32(bomb.subarray(12, 29)), 29);
  await fails(bomb, 40e6, /20000x20000 pixels, more than the 40 megapixel limit/);
});
