// The small-data GAN's parts on constructed cases: DiffAugment moves, zeroes and recolours the
// pixels it says it does, the same way whatever the shard, and spectral normalisation divides a
// kernel by its largest singular value.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine, type Tf } from '../../workers/engine/backend';
import { diffAugment, drawAugment, DIFF_AUGMENT } from '../../workers/train/diff-augment';
import { spectralConv2d } from '../../workers/models/spectral-norm';

let tf: Tf;
before(async () => {
  ({ tf } = await initEngine({ force: 'wasm' }));
});

/** The largest singular value of a [rows, cols] matrix, by many power iterations in float64. */
function topSingularValue(m: Float32Array, rows: number, cols: number): number {
  let v = Array.from({ length: cols }, (_, i) => 1 + ((i * 7) % 5));
  let sigma = 0;
  for (let it = 0; it < 500; it++) {
    const u = Array.from({ length: rows }, (_, r) => v.reduce((a, x, c) => a + m[r * cols + c] * x, 0));
    const w = Array.from({ length: cols }, (_, c) => u.reduce((a, x, r) => a + m[r * cols + c] * x, 0));
    const norm = Math.hypot(...w);
    sigma = Math.sqrt(norm / Math.hypot(...v));
    v = w.map((x) => x / norm);
  }
  return sigma;
}

test('DiffAugment: translation, cutout, brightness and contrast as drawn; a shard gets its rows of the whole batch', () => {
  const size = 16;
  const n = 6;
  // Each image a ramp with a distinct offset, so any shift or mask shows.
  const pixels = Float32Array.from({ length: n * size * size }, (_, i) => ((i % (size * size)) / (size * size)) * 0.5 + Math.floor(i / (size * size)) * 0.05);
  const x = tf.tensor4d(pixels, [n, size, size, 1]);
  const draw = drawAugment(n, size, 3, 11, 'd-real');
  const out = diffAugment(x, 3, 11, 'd-real').dataSync();
  const cut = Math.floor(size * DIFF_AUGMENT.cutout);
  let checked = 0;
  for (let k = 0; k < n; k++) {
    const img = pixels.subarray(k * size * size, (k + 1) * size * size);
    const mean = img.reduce((a, b) => a + b, 0) / img.length;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const si = i - draw.dy[k];
        const sj = j - draw.dx[k];
        const inCut = i >= draw.cy[k] && i < draw.cy[k] + cut && j >= draw.cx[k] && j < draw.cx[k] + cut;
        const outside = si < 0 || si >= size || sj < 0 || sj >= size;
        const want = inCut || outside ? 0 : (img[si * size + sj] - mean) * draw.contrast[k] + mean + draw.brightness[k];
        assert.ok(Math.abs(out[k * size * size + i * size + j] - want) < 1e-5, `image ${k} pixel (${i}, ${j}): ${out[k * size * size + i * size + j]} against ${want}`);
        checked++;
      }
    }
  }
  assert.equal(checked, n * size * size);
  assert.ok(draw.dy.some((d) => d !== 0) && draw.brightness.some((b) => b !== 0), 'the draw moves something');
  // Rows 2..5 of the batch, augmented as a shard, equal the same rows of the whole batch.
  const shard = diffAugment(x.slice([2, 0, 0, 0], [4, -1, -1, -1]) as typeof x, 3, 11, 'd-real', { offset: 2, total: n }).dataSync();
  assert.deepEqual(Array.from(shard), Array.from(out.subarray(2 * size * size)));
  // Another step or stream draws differently.
  assert.notDeepEqual(drawAugment(n, size, 3, 12, 'd-real').dx, draw.dx);
  assert.notDeepEqual(drawAugment(n, size, 3, 11, 'd-fake').brightness, draw.brightness);
  x.dispose();
});

test('DiffAugment is differentiable: its gradient matches finite differences', () => {
  type T4 = import('@tensorflow/tfjs').Tensor4D;
  const size = 8;
  const base = tf.randomUniform([2, size, size, 1], 0, 1, 'float32', 4) as T4;
  const f = (t: import('@tensorflow/tfjs').Tensor) => tf.sum(tf.square(diffAugment(t as T4, 1, 2, 'g-fake')));
  const grad = tf.grad(f)(base).dataSync();
  const pixels = base.dataSync();
  assert.ok(grad.some((v) => v !== 0), 'some gradient flows back to the image');
  for (const i of [0, 9, 27, 64 + 36, 127]) {
    const h = 1e-2;
    const at = (d: number) => tf.tidy(() => f(tf.tensor4d(Float32Array.from(pixels, (v, j) => (j === i ? v + d : v)), [2, size, size, 1])).dataSync()[0]);
    const numeric = (at(h) - at(-h)) / (2 * h);
    assert.ok(Math.abs(numeric - grad[i]) < 2e-2 * Math.max(1, Math.abs(numeric)), `pixel ${i}: analytic ${grad[i]}, numeric ${numeric}`);
  }
  base.dispose();
});

test('spectral normalisation: after power iterations the normalised kernel has largest singular value 1', () => {
  const layer = spectralConv2d({ filters: 6, kernelSize: 3, padding: 'same', strides: 1, inputShape: [8, 8, 2], kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed: 3 }), seed: 9 });
  const x = tf.randomUniform([1, 8, 8, 2], 0, 1, 'float32', 5);
  // Training calls run one power-iteration step each.
  for (let i = 0; i < 30; i++) tf.dispose(layer.apply(x, { training: true }) as import('@tensorflow/tfjs').Tensor);
  const kernel = layer.getWeights()[0];
  const raw = kernel.dataSync() as Float32Array;
  const sigma = topSingularValue(raw, 3 * 3 * 2, 6);
  assert.ok(sigma > 1.5, `the raw kernel is far from normalised (sigma ${sigma})`);
  // The layer's output equals a plain convolution with kernel / sigma (inference reads u, v).
  const y = (layer.apply(x) as import('@tensorflow/tfjs').Tensor).dataSync();
  const bias = layer.getWeights()[1];
  const want = tf.tidy(() => tf.add(tf.conv2d(x as import('@tensorflow/tfjs').Tensor4D, tf.div(kernel, sigma) as import('@tensorflow/tfjs').Tensor4D, 1, 'same'), bias)).dataSync();
  const worst = Math.max(...Array.from(y, (v, i) => Math.abs(v - want[i])));
  assert.ok(worst < 1e-4, `output differs from kernel / sigma by ${worst}`);
  // u and v are non-trainable weights, so checkpoints and resume carry them.
  assert.deepEqual(layer.nonTrainableWeights.map((w) => w.shape), [[6], [18]]);
  tf.dispose([x]);
});
