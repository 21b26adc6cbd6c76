// Checks the NIfTI-1 reader on volumes written by hand: datatypes, scaling, gzip, 4-D, orientation, labels, errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readNiftiSlices } from '../../workers/data/nifti';
import { NiftiError, loadVolume } from '../../workers/data/nifti-volume';
import { writeNifti, type Voxels } from '../helpers/nifti';

const NX = 32;
const NY = 24;
const NZ = 20;
/** Slices 0-2 and 17-19 are empty; a head-like ellipsoid fills the rest. */
const FIRST_BRAIN = 3;
const LAST_BRAIN = 16;
const TUMOUR = { x: 14, y: 12, z: 10, r: 3.2 };

/** Integer-valued phantom volume (0 background, 200..700 tissue) with one hot outlier voxel. */
function phantomValues(): Float64Array {
  const v = new Float64Array(NX * NY * NZ);
  for (let z = FIRST_BRAIN; z <= LAST_BRAIN; z++) {
    for (let y = 0; y < NY; y++) {
      for (let x = 0; x < NX; x++) {
        const d = ((x - 15.5) / 13) ** 2 + ((y - 11.5) / 10) ** 2 + ((z - 9.5) / 8) ** 2;
        if (d < 1) v[x + y * NX + z * NX * NY] = Math.round(200 + 500 * (1 - d) + ((x * 7 + y * 3 + z) % 11));
      }
    }
  }
  v[16 + 12 * NX + 9 * NX * NY] = 30000; // a hot voxel the robust range must ignore
  return v;
}

function tumourMask(nz = NZ): Uint8Array {
  const m = new Uint8Array(NX * NY * nz);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < NY; y++) {
      for (let x = 0; x < NX; x++) {
        if ((x - TUMOUR.x) ** 2 + (y - TUMOUR.y) ** 2 + (z - TUMOUR.z) ** 2 <= TUMOUR.r ** 2) m[x + y * NX + z * NX * NY] = 1;
      }
    }
  }
  return m;
}

const RAS = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];

test('int16 volume: dims, background slices skipped, labels from the spherical mask', () => {
  const vol = writeNifti({ dims: [NX, NY, NZ], voxels: Int16Array.from(phantomValues()), sform: RAS });
  const mask = writeNifti({ dims: [NX, NY, NZ], voxels: tumourMask(), sform: RAS });
  const out = readNiftiSlices(vol, mask);
  assert.equal(out.width, NX);
  assert.equal(out.height, NY);
  assert.equal(out.slices.length, LAST_BRAIN - FIRST_BRAIN + 1);
  assert.equal(out.skipped, NZ - out.slices.length);
  assert.deepEqual(out.sliceIndices, Array.from({ length: out.slices.length }, (_, i) => FIRST_BRAIN + i));
  for (const s of out.slices) assert.equal(s.length, NX * NY);
  const expected = out.sliceIndices.map((z) => (Math.abs(z - TUMOUR.z) <= 3 ? 1 : 0));
  assert.deepEqual([...out.labels!], expected);
  assert.equal(expected.filter((l) => l === 1).length, 7);
});

test('normalisation: 0..255 per volume, robust to a hot voxel', () => {
  const out = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels: Int16Array.from(phantomValues()) }));
  const all = out.slices.flatMap((s) => [...s]);
  assert.equal(Math.min(...all), 0);
  assert.equal(Math.max(...all), 255);
  // The centre of the ellipsoid (~700 of a 30000 outlier) must still be bright, not crushed to ~6.
  const mid = out.slices[out.sliceIndices.indexOf(10)];
  const centre = mid[12 * NX + 16];
  assert.ok(centre > 200, `centre level ${centre}`);
  assert.equal(out.labels, undefined);
});

test('every supported datatype gives the same slices; scl_slope/scl_inter are applied', () => {
  const values = phantomValues().map((v) => Math.min(v, 250)); // fits uint8/int8 after scaling below
  const reference = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels: Float32Array.from(values), sform: RAS }));
  const variants: Array<[string, Voxels, number, number]> = [
    ['uint8', Uint8Array.from(values), 1, 0],
    ['uint16', Uint16Array.from(values), 1, 0],
    ['int32', Int32Array.from(values), 1, 0],
    ['float64', Float64Array.from(values), 1, 0],
    // Stored as (v - 100) / 2: slope 2, inter 100 restores v.
    ['int8 scaled', Int8Array.from(values, (v) => Math.round((v - 100) / 2)), 2, 100],
    ['int16 scaled', Int16Array.from(values, (v) => (v - 100) * 4), 0.25, 100],
  ];
  for (const [name, voxels, slope, inter] of variants) {
    const out = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels, slope, inter, sform: RAS }));
    assert.equal(out.slices.length, reference.slices.length, name);
    out.slices.forEach((s, i) => {
      const maxDiff = Math.max(...s.map((v, p) => Math.abs(v - reference.slices[i][p])));
      // int8 storage halves the resolution: allow a couple of grey levels.
      assert.ok(maxDiff <= (name === 'int8 scaled' ? 3 : 0), `${name} slice ${i} differs by ${maxDiff}`);
    });
  }
  // A negative slope inverts intensities: the (formerly dark) background becomes the brightest.
  const inverted = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels: Int16Array.from(values), slope: -1, sform: RAS }));
  assert.equal(inverted.slices[0][0], 255);
});

test('big-endian and gzip-compressed files read the same as little-endian .nii', () => {
  const voxels = Int16Array.from(phantomValues());
  const plain = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels, sform: RAS }));
  const big = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels, sform: RAS, littleEndian: false }));
  const gz = gzipSync(writeNifti({ dims: [NX, NY, NZ], voxels, sform: RAS }));
  const gzAsArrayBuffer = gz.buffer.slice(gz.byteOffset, gz.byteOffset + gz.byteLength) as ArrayBuffer;
  const zipped = readNiftiSlices(gzAsArrayBuffer, gzipSync(writeNifti({ dims: [NX, NY, NZ], voxels: tumourMask(), sform: RAS })));
  for (const other of [big, zipped]) {
    assert.equal(other.slices.length, plain.slices.length);
    other.slices.forEach((s, i) => assert.deepEqual(s, plain.slices[i]));
  }
  assert.equal(zipped.labels!.reduce((a, b) => a + b, 0), 7);
});

test('float32 4-D volume: only the first volume is used', () => {
  const first = phantomValues().map((v) => v / 1000); // 0..0.7 floats
  const both = new Float32Array(first.length * 2);
  both.set(first);
  both.fill(5, first.length); // second volume: constant junk
  const four = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ, 2], voxels: both, sform: RAS }));
  const three = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels: Float32Array.from(first), sform: RAS }));
  assert.equal(four.slices.length, three.slices.length);
  four.slices.forEach((s, i) => assert.deepEqual(s, three.slices[i]));
});

test('orientation: anterior at the top, patient right on the left, slices inferior to superior', () => {
  // One bright voxel block: anterior (high j) and right (high i) in RAS storage, in slice z = 5.
  const v = new Int16Array(NX * NY * NZ);
  for (let z = 4; z <= 6; z++) for (let y = 0; y < NY; y++) for (let x = 0; x < NX; x++) v[x + y * NX + z * NX * NY] = 100;
  for (let y = NY - 4; y < NY; y++) for (let x = NX - 4; x < NX; x++) v[x + y * NX + 5 * NX * NY] = 1000;
  const brightCorner = (img: Uint8Array, w: number) => {
    let best = 0;
    for (let p = 1; p < img.length; p++) if (img[p] > img[best]) best = p;
    return { row: Math.floor(best / w), col: best % w };
  };
  const ras = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels: v, sform: RAS }));
  const hit = brightCorner(ras.slices[ras.sliceIndices.indexOf(5)], ras.width);
  assert.ok(hit.row < 4 && hit.col < 4, `RAS: bright block at ${JSON.stringify(hit)}, expected top-left`);
  assert.match(ras.orientation, /anterior at top/);

  // LPI storage (x and y and z reversed): the same voxels are now left-posterior, shown bottom-right.
  const lpi = [[-1, 0, 0, NX - 1], [0, -1, 0, NY - 1], [0, 0, -1, NZ - 1]];
  const flipped = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels: v, sform: lpi }));
  const hit2 = brightCorner(flipped.slices[flipped.sliceIndices.indexOf(5)], flipped.width);
  assert.ok(hit2.row >= NY - 4 && hit2.col >= NX - 4, `LPI: bright block at ${JSON.stringify(hit2)}, expected bottom-right`);
  assert.deepEqual(flipped.sliceIndices, [6, 5, 4]); // inferior (high k) first

  // Axes swapped (voxel i runs front-back): the display is transposed.
  const swapped = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels: v, sform: [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0]] }));
  assert.equal(swapped.width, NY);
  assert.equal(swapped.height, NX);
});

test('clear NiftiErrors: garbage, mismatched mask, unsupported datatype, truncation, corrupt gzip', () => {
  const expectError = (fn: () => unknown, code: string, pattern: RegExp) => {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof NiftiError, `expected NiftiError, got ${err}`);
      assert.equal(err.code, code);
      assert.match(err.message, pattern);
      return true;
    });
  };
  const garbage = Buffer.alloc(2000);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 251;
  expectError(() => readNiftiSlices(garbage), 'not-nifti', /not a NIfTI-1 file/);
  expectError(() => readNiftiSlices(Buffer.from('hello')), 'not-nifti', /not a NIfTI-1 file/);
  expectError(() => readNiftiSlices(new ArrayBuffer(0)), 'not-nifti', /not a NIfTI-1 file/);

  const vol = writeNifti({ dims: [NX, NY, NZ], voxels: Int16Array.from(phantomValues()) });
  const shortMask = writeNifti({ dims: [NX, NY, NZ - 1], voxels: tumourMask(NZ - 1) });
  expectError(() => readNiftiSlices(vol, shortMask), 'mask-mismatch', /volume dims 32x24x20 do not match mask dims 32x24x19/);
  expectError(() => readNiftiSlices(vol, garbage), 'not-nifti', /the mask is not a NIfTI-1 file/);

  const rgb = writeNifti({ dims: [NX, NY, NZ], voxels: new Uint8Array(NX * NY * NZ), datatype: 128 });
  expectError(() => readNiftiSlices(rgb), 'unsupported-datatype', /unsupported datatype 128 \(RGB\)/);

  expectError(() => readNiftiSlices(vol.subarray(0, vol.length - 100)), 'truncated', /truncated/);
  const gz = gzipSync(vol);
  expectError(() => readNiftiSlices(gz.subarray(0, 200)), 'decompress-failed', /gzip/);
});

test('an empty volume gives no slices, all counted as skipped', () => {
  const out = readNiftiSlices(writeNifti({ dims: [NX, NY, NZ], voxels: new Int16Array(NX * NY * NZ) }));
  assert.equal(out.slices.length, 0);
  assert.equal(out.skipped, NZ);
});

test('a gzip bomb is refused once the cap is passed, with a clear error', () => {
  const bomb = gzipSync(Buffer.alloc(4 * 1024 ** 2));
  assert.ok(bomb.length < 10_000);
  assert.throws(() => loadVolume(bomb, 'volume', 1024 ** 2), (err: unknown) => err instanceof NiftiError && err.code === 'too-large' && /unpacks to more than 1 MiB/.test(err.message));
});
