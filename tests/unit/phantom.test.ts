// Checks the embedded brain-MRI phantom: determinism, framing like the paper's preprocessing, and a learnable label.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatePhantom } from '../../workers/data/phantom';

const N = 128;

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Mean of the (2r+1)^2 window around each pixel, clipped at the border. */
function boxMean(img: Uint8Array, size: number, r: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      let count = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(size - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(size - 1, x + r); xx++) {
          sum += img[yy * size + xx];
          count++;
        }
      }
      out[y * size + x] = sum / count;
    }
  }
  return out;
}

/**
 * Fraction of the central disc (inside the brain on every slice) whose smoothed intensity is
 * more than 15% away from the disc's median: lesions and edema add such regions, while a
 * healthy slice only has ventricles and deep grey matter there. Smoothing removes noise and sulci.
 */
function abnormalFraction(img: Uint8Array): number {
  const smooth = boxMean(img, N, 2);
  const values: number[] = [];
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const dx = (x - (N - 1) / 2) / (N / 2);
      const dy = (y - (N - 1) / 2) / (N / 2);
      if (dx * dx + dy * dy < 0.36) values.push(smooth[y * N + x]);
    }
  }
  const median = [...values].sort((a, b) => a - b)[values.length >> 1];
  return values.filter((v) => Math.abs(v - median) > 0.15 * median).length / values.length;
}

test('same arguments give identical bytes, another index gives other bytes', () => {
  for (const tumor of [false, true]) {
    const a = generatePhantom({ seed: 42, index: 7, tumor, size: N });
    const b = generatePhantom({ seed: 42, index: 7, tumor, size: N });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, generatePhantom({ seed: 42, index: 8, tumor, size: N }));
    assert.notDeepEqual(a, generatePhantom({ seed: 43, index: 7, tumor, size: N }));
  }
});

test('output is size*size bytes using a real range of grey levels', () => {
  for (const size of [32, 64, 128]) {
    const img = generatePhantom({ seed: 1, index: 3, tumor: true, size });
    assert.ok(img instanceof Uint8Array);
    assert.equal(img.length, size * size);
    const max = img.reduce((m, v) => Math.max(m, v), 0);
    assert.ok(max > 100, `brightest pixel ${max} should be well above the background`);
  }
  assert.throws(() => generatePhantom({ seed: 1, index: 0, tumor: false, size: 10.5 }), RangeError);
});

test('background corners are dark and the head is centred, filling the frame', () => {
  for (let index = 0; index < 20; index++) {
    const img = generatePhantom({ seed: 5, index, tumor: index % 2 === 0, size: N });
    const corner: number[] = [];
    for (const [y0, x0] of [[0, 0], [0, N - 8], [N - 8, 0], [N - 8, N - 8]]) {
      for (let y = y0; y < y0 + 8; y++) for (let x = x0; x < x0 + 8; x++) corner.push(img[y * N + x]);
    }
    assert.ok(mean(corner) < 25, `slice ${index}: corner mean ${mean(corner)}`);

    // Bounding box of the head, found on a smoothed image so background noise does not count.
    const smooth = boxMean(img, N, 1);
    let minX = N, maxX = -1, minY = N, maxY = -1;
    for (let y = 0; y < N; y++) {
      for (let x = 0; x < N; x++) {
        if (smooth[y * N + x] <= 50) continue;
        minX = Math.min(minX, x); maxX = Math.max(maxX, x);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      }
    }
    const longSide = Math.max(maxX - minX, maxY - minY) + 1;
    assert.ok(longSide > 0.8 * N && longSide <= N, `slice ${index}: head spans ${longSide} px`);
    assert.ok(Math.abs((minX + maxX) / 2 - N / 2) < 6, `slice ${index}: off-centre in x`);
    assert.ok(Math.abs((minY + maxY) / 2 - N / 2) < 6, `slice ${index}: off-centre in y`);
    const centre: number[] = [];
    for (let y = N / 2 - 10; y < N / 2 + 10; y++) for (let x = N / 2 - 10; x < N / 2 + 10; x++) centre.push(img[y * N + x]);
    assert.ok(mean(centre) > 2 * mean(corner) + 20, `slice ${index}: the centre should be brain, not background`);
  }
});

test('a tumour slice differs from its healthy twin only inside the head', () => {
  for (let index = 0; index < 10; index++) {
    const sick = generatePhantom({ seed: 9, index, tumor: true, size: N });
    const healthy = generatePhantom({ seed: 9, index, tumor: false, size: N });
    let changed = 0;
    for (let i = 0; i < sick.length; i++) {
      if (sick[i] === healthy[i]) continue;
      changed++;
      const x = (i % N) - N / 2;
      const y = Math.floor(i / N) - N / 2;
      assert.ok(x * x + y * y < (N / 2) ** 2, `slice ${index}: pixel ${i} changed outside the head`);
    }
    assert.ok(changed > 0, `slice ${index}: the tumour slice equals its healthy twin`);
  }
});

test('tumour slices have more abnormal central tissue than healthy ones on average', () => {
  const tumour: number[] = [];
  const healthy: number[] = [];
  for (let i = 0; i < 40; i++) {
    tumour.push(abnormalFraction(generatePhantom({ seed: 3, index: 2 * i, tumor: true, size: N })));
    healthy.push(abnormalFraction(generatePhantom({ seed: 3, index: 2 * i + 1, tumor: false, size: N })));
  }
  // Measured gap is about 0.08 with a standard error near 0.01; 0.03 leaves room for tuning.
  assert.ok(mean(tumour) > mean(healthy) + 0.03, `tumour ${mean(tumour)} vs healthy ${mean(healthy)}`);
});
