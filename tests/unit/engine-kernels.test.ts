// Checks the engine's backend selection and its wasm kernels and gradients against the cpu backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { initEngine, type Tf } from '../../workers/engine/backend';
import { fusedConv2dGradConfig } from '../../workers/engine/gradients/fused-conv2d';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Stride = number | [number, number];
interface ConvCase { n: number; h: number; w: number; cin: number; cout: number; k: number; s: Stride; pad: Pad }
interface Result { data: Float32Array; shape: number[] }

let tf: Tf;
const worst: Record<string, number> = {};

before(async () => {
  delete process.env.TFJS_BACKEND; // the defaults are under test, not the caller's environment
  ({ tf } = await initEngine());
  if (!tf.getGradient(tf.FusedConv2D)) tf.registerGradient(fusedConv2dGradConfig(tf));
});

after(() => {
  for (const [label, rel] of Object.entries(worst)) console.log(`worst relative error, ${label}: ${rel.toExponential(2)}`);
});

/** Deterministic inputs, so a failure can be reproduced. */
function random(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** Runs fn on each backend with the same input values and returns every output's values. */
async function onBoth<T extends Tensor = Tensor4D>(inputs: Result[], fn: (...t: T[]) => Tensor[]): Promise<Record<'cpu' | 'wasm', Result[]>> {
  const results = {} as Record<'cpu' | 'wasm', Result[]>;
  for (const name of ['cpu', 'wasm'] as const) {
    await tf.setBackend(name);
    const tensors = inputs.map((i) => tf.tensor(i.data, i.shape) as T);
    const outs = fn(...tensors);
    results[name] = outs.map((o) => ({ data: o.dataSync() as Float32Array, shape: o.shape }));
    tf.dispose([...tensors, ...outs]);
  }
  return results;
}

function assertClose(got: Result, want: Result, label: string): void {
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  let diff = 0;
  let scale = 0;
  want.data.forEach((b, i) => {
    diff = Math.max(diff, Math.abs(got.data[i] - b));
    scale = Math.max(scale, Math.abs(b));
  });
  const rel = diff / scale;
  worst[label] = Math.max(worst[label] ?? 0, rel);
  assert.ok(rel < 1e-4, `${label}: relative error ${rel}`);
}

const convCases: ConvCase[] = [
  { n: 2, h: 9, w: 9, cin: 3, cout: 4, k: 3, s: 1, pad: 'same' },
  { n: 3, h: 8, w: 8, cin: 5, cout: 6, k: 3, s: 2, pad: 'same' },
  { n: 2, h: 9, w: 7, cin: 4, cout: 8, k: 3, s: 2, pad: 'valid' },
  { n: 2, h: 10, w: 10, cin: 8, cout: 3, k: 4, s: 2, pad: 'same' },
  { n: 2, h: 11, w: 11, cin: 2, cout: 5, k: 4, s: 1, pad: 'valid' },
  { n: 4, h: 12, w: 13, cin: 6, cout: 7, k: 5, s: 1, pad: 'same' },
  { n: 2, h: 13, w: 12, cin: 3, cout: 16, k: 5, s: 2, pad: 'valid' },
  { n: 2, h: 9, w: 8, cin: 16, cout: 8, k: 5, s: 2, pad: 'same' },
  { n: 2, h: 16, w: 16, cin: 1, cout: 8, k: 3, s: 2, pad: 'same' },
  { n: 2, h: 11, w: 10, cin: 3, cout: 4, k: 5, s: 3, pad: 'same' },
  { n: 2, h: 10, w: 9, cin: 3, cout: 5, k: 3, s: [2, 1], pad: 'same' },
  { n: 2, h: 9, w: 9, cin: 3, cout: 4, k: 3, s: 1, pad: 1 },
  { n: 2, h: 10, w: 10, cin: 3, cout: 4, k: 4, s: 2, pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
  { n: 2, h: 7, w: 7, cin: 3, cout: 4, k: 1, s: 2, pad: 'valid' },
];

for (const c of convCases) {
  test(`conv2d gradients match cpu: ${JSON.stringify(c)}`, async () => {
    const x = { data: random(c.n * c.h * c.w * c.cin, 1), shape: [c.n, c.h, c.w, c.cin] };
    const f = { data: random(c.k * c.k * c.cin * c.cout, 2), shape: [c.k, c.k, c.cin, c.cout] };
    const ys = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.cin], [c.k, c.k, c.cin, c.cout], c.s, 1, c.pad).outShape;
    const r = { data: random(ys.reduce((a, b) => a * b, 1), 3), shape: ys };
    const out = await onBoth([x, f, r], (xt, ft, rt) => {
      // d(sum(conv * r)) is the backprop of an upstream gradient r to both x and the filter.
      const g = tf.grads((a, b) => tf.sum(tf.mul(tf.conv2d(a as Tensor4D, b as Tensor4D, c.s, c.pad), rt)));
      return g([xt, ft]) as Tensor4D[];
    });
    assertClose(out.wasm[0], out.cpu[0], 'input gradient');
    assertClose(out.wasm[1], out.cpu[1], 'filter gradient');
  });
}

const transposeCases: { n: number; hi: number; wi: number; cin: number; cout: number; k: number; s: number; out: number[]; pad: 'same' | 'valid' }[] = [
  { n: 2, hi: 4, wi: 4, cin: 8, cout: 3, k: 4, s: 2, out: [8, 8], pad: 'same' },
  { n: 2, hi: 5, wi: 4, cin: 6, cout: 4, k: 3, s: 2, out: [9, 7], pad: 'same' },
  { n: 3, hi: 4, wi: 5, cin: 4, cout: 6, k: 5, s: 2, out: [11, 14], pad: 'valid' },
  { n: 2, hi: 6, wi: 6, cin: 5, cout: 2, k: 3, s: 1, out: [6, 6], pad: 'same' },
  { n: 2, hi: 5, wi: 5, cin: 3, cout: 7, k: 4, s: 1, out: [8, 8], pad: 'valid' },
];

for (const c of transposeCases) {
  test(`conv2dTranspose matches cpu: ${JSON.stringify(c)}`, async () => {
    const x = { data: random(c.n * c.hi * c.wi * c.cin, 4), shape: [c.n, c.hi, c.wi, c.cin] };
    const f = { data: random(c.k * c.k * c.cout * c.cin, 5), shape: [c.k, c.k, c.cout, c.cin] };
    const out = await onBoth([x, f], (xt, ft) => [tf.conv2dTranspose(xt, ft, [c.n, c.out[0], c.out[1], c.cout], c.s, c.pad)]);
    assertClose(out.wasm[0], out.cpu[0], 'conv2dTranspose');
  });
}

const input = (shape: number[], seed: number): Result => ({ data: random(shape.reduce((a, b) => a * b, 1), seed), shape });

const matMulCases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
  { a: [40, 7], b: [40, 9], ta: true, tb: false },
  { a: [7, 40], b: [9, 40], ta: false, tb: true },
  { a: [40, 7], b: [9, 40], ta: true, tb: true },
  { a: [3, 33, 5], b: [3, 33, 6], ta: true, tb: false },
  { a: [2, 5, 17], b: [1, 8, 17], ta: false, tb: true },
  { a: [6, 300], b: [2048, 300], ta: false, tb: true },
  // A right operand of 2^20+ elements seen for the first time takes the (Wᵀ·xᵀ)ᵀ route.
  { a: [6, 1024], b: [1024, 1030], ta: false, tb: false },
  { a: [2, 3, 1024], b: [1024, 1030], ta: false, tb: false },
];

for (const c of matMulCases) {
  test(`matMul matches cpu: ${JSON.stringify(c)}`, async () => {
    const out = await onBoth<Tensor>([input(c.a, 11), input(c.b, 12)], (a, b) => [tf.matMul(a, b, c.ta, c.tb)]);
    assertClose(out.wasm[0], out.cpu[0], 'matMul');
  });
}

test('matMul with the same large right operand twice gives the same product both times on wasm', async () => {
  await tf.setBackend('wasm');
  const [a, b] = [input([4, 1024], 13), input([1024, 1100], 14)].map((i) => tf.tensor2d(i.data, i.shape as [number, number]));
  const first = tf.matMul(a, b);
  const second = tf.matMul(a, b);
  assertClose({ data: second.dataSync() as Float32Array, shape: second.shape }, { data: first.dataSync() as Float32Array, shape: first.shape }, 'matMul cached');
  tf.dispose([a, b, first, second]);
});

const reduceCases: { shape: number[]; axis: number[]; keepDims: boolean }[] = [
  { shape: [4, 9, 9, 5], axis: [0, 1, 2], keepDims: false },
  { shape: [4, 9, 9, 5], axis: [0, 1, 2], keepDims: true },
  { shape: [300, 7], axis: [0], keepDims: false },
  { shape: [6, 5, 4], axis: [1, 0], keepDims: true },
  { shape: [6, 5, 4], axis: [1], keepDims: false },
  { shape: [6, 5, 4], axis: [0, 1, 2], keepDims: false },
];

for (const c of reduceCases) {
  test(`sum and mean match cpu: ${JSON.stringify(c)}`, async () => {
    const out = await onBoth<Tensor>([input(c.shape, 21)], (x) => [tf.sum(x, c.axis, c.keepDims), tf.mean(x, c.axis, c.keepDims)]);
    assertClose(out.wasm[0], out.cpu[0], 'sum');
    assertClose(out.wasm[1], out.cpu[1], 'mean');
  });
}

const poolCases: { shape: number[]; k: number; s: number; pad: 'same' | 'valid' }[] = [
  { shape: [2, 8, 8, 3], k: 2, s: 2, pad: 'valid' },
  { shape: [2, 9, 7, 4], k: 2, s: 2, pad: 'same' },
  { shape: [2, 9, 9, 3], k: 3, s: 2, pad: 'same' },
  { shape: [3, 10, 10, 2], k: 3, s: 1, pad: 'valid' },
  { shape: [2, 9, 9, 3], k: 2, s: 2, pad: 'valid' },
];

for (const c of poolCases) {
  test(`maxPool gradient matches cpu, ties included: ${JSON.stringify(c)}`, async () => {
    // relu leaves many windows all zero and rounding to 1/4 makes ties among positive values:
    // the gradient must go to the first maximum, as on cpu.
    const x = input(c.shape, 31);
    x.data = x.data.map((v) => Math.max(0, Math.round(v * 4) / 4));
    const pooled = tf.backend_util.computePool2DInfo(c.shape as [number, number, number, number], c.k, c.s, 1, c.pad).outShape;
    const out = await onBoth([x, input(pooled, 32)], (xt, dy) => [tf.grad((a) => tf.sum(tf.mul(tf.maxPool(a as Tensor4D, c.k, c.s, c.pad), dy)))(xt)]);
    assertClose(out.wasm[0], out.cpu[0], 'maxPool gradient');
  });
}

test('tile, transpose, clone and same-dtype cast match cpu', async () => {
  const out = await onBoth<Tensor>([input([1, 1, 5], 41), input([3, 130, 517], 42), input([300, 260], 43)], (v, m, w) => [
    tf.tile(v, [3, 4, 1]),
    tf.tile(v, [2, 1, 2]),
    tf.transpose(m, [0, 2, 1]),
    tf.transpose(w),
    tf.transpose(m, [2, 0, 1]),
    tf.clone(w),
    tf.cast(w, 'float32'),
  ]);
  out.wasm.forEach((r, i) => assertClose(r, out.cpu[i], 'tile / transpose / copy'));
});

test('strided slices (steps, offsets, masks, shrinking, ranks 1-4) match cpu', async () => {
  const out = await onBoth<Tensor>([input([4, 4, 25, 12], 61), input([1, 32, 66, 66], 62), input([7, 9], 63), input([11], 64)], (k, x, m, v) => [
    tf.stridedSlice(k, [1, 0, 0, 0], [4, 4, 25, 12], [2, 2, 1, 1]),
    tf.stridedSlice(x, [0, 0, 1, 1], [1, 32, 64, 64], [1, 1, 2, 2]),
    tf.stridedSlice(x, [0, 3, 0, 5], [1, 9, 66, 66], [1, 3, 1, 4]),
    tf.stridedSlice(k, [0, 0, 2, 0], [0, 0, 20, 0], [1, 1, 3, 1], 0b1011, 0b1011),
    tf.stridedSlice(k, [2, 0, 0, 0], [3, 4, 25, 12], [1, 1, 1, 1], 0, 0, 0, 0, 0b0001),
    tf.stridedSlice(m, [1, 2], [7, 9], [3, 2]),
    tf.stridedSlice(v, [1], [11], [4]),
    tf.stridedSlice(m, [6, 8], [0, 0], [-2, -3]),
  ]);
  out.wasm.forEach((r, i) => {
    assert.deepEqual(r.shape, out.cpu[i].shape, `slice ${i} shape`);
    assertClose(r, out.cpu[i], `slice ${i}`);
  });
});

test('a clone or same-dtype cast outlives its disposed source on wasm', async () => {
  await tf.setBackend('wasm');
  const source = tf.tensor1d([1, 2, 3]);
  const copies = [tf.clone(source), tf.cast(source, 'float32')];
  source.dispose();
  for (const c of copies) assert.deepEqual(Array.from(c.dataSync()), [1, 2, 3]);
  tf.dispose(copies);
});

const resizeCases: { x: number[]; size: [number, number]; halfPixelCenters: boolean }[] = [
  { x: [2, 4, 5, 3], size: [8, 10], halfPixelCenters: false },
  { x: [3, 3, 4, 5], size: [9, 8], halfPixelCenters: true },
];

// Against the block sum written with reshapes, since tfjs-backend-cpu's own kernel is wrong for
// batches of more than one image (the engine replaces it; see resize-nearest-grad.ts).
for (const c of resizeCases) {
  test(`nearest-neighbour upscale gradient is the block sum of dy on wasm and cpu: ${JSON.stringify(c)}`, async () => {
    const [n, h, w, ch] = c.x;
    const dy = input([n, ...c.size, ch], 61);
    const out = await onBoth<Tensor>([input(c.x, 60), dy], (xt, dyt) => [
      ...tf.grads((a) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(a as Tensor4D, c.size, false, c.halfPixelCenters), dyt)))([xt]),
      tf.sum(tf.reshape(dyt, [n, h, c.size[0] / h, w, c.size[1] / w, ch]), [2, 4]),
    ]);
    assertClose(out.wasm[0], out.cpu[1], 'upscale gradient');
    assertClose(out.cpu[0], out.cpu[1], 'upscale gradient');
  });
}

test('a nearest-neighbour resize gradient by a fractional factor still matches cpu', async () => {
  const out = await onBoth<Tensor>([input([1, 4, 4, 2], 62), input([1, 6, 7, 2], 63)], (xt, dyt) =>
    tf.grads((a) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(a as Tensor4D, [6, 7]), dyt)))([xt]),
  );
  assertClose(out.wasm[0], out.cpu[0], 'fractional resize gradient');
});

test('reverse on any axes but the last (and with it, on the built-in kernel) matches cpu', async () => {
  for (const dims of [[0, 1], [1], [0, 2], [2, 3]]) {
    const out = await onBoth<Tensor>([input([4, 3, 5, 6], 64)], (x) => [tf.reverse(x, dims)]);
    assertClose(out.wasm[0], out.cpu[0], 'reverse');
  }
});

test('the FusedConv2D gradient computes input, filter and bias gradients as cpu does', async () => {
  for (const c of [convCases[1], convCases[3], convCases[5]]) {
    const x = input([c.n, c.h, c.w, c.cin], 71);
    const f = input([c.k, c.k, c.cin, c.cout], 72);
    const ys = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.cin], [c.k, c.k, c.cin, c.cout], c.s, 1, c.pad).outShape;
    const out = await onBoth<Tensor>([x, f, input([c.cout], 73), input(ys, 74)], (xt, ft, bt, rt) =>
      tf.grads((a, b, bias) => {
        const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: 1, activation: 'linear' };
        const y = tf.engine().runKernel(tf.FusedConv2D, { x: a, filter: b, bias }, attrs as unknown as NamedAttrMap) as Tensor;
        return tf.sum(tf.mul(y, rt));
      })([xt, ft, bt]),
    );
    assertClose(out.wasm[0], out.cpu[0], 'fused conv input gradient');
    assertClose(out.wasm[1], out.cpu[1], 'fused conv filter gradient');
    assertClose(out.wasm[2], out.cpu[2], 'fused conv bias gradient');
  }
});

test('training-mode batch-norm gradients match cpu', async () => {
  // As tfjs-layers' BatchNormalization trains: statistics from tf.moments, then tf.batchNorm.
  // (Without a scale tf.grads fails inside tfjs itself, on cpu as well, so that case is not ours.)
  const x = input([4, 6, 5, 3], 51);
  x.data = x.data.map((v) => 3 + 2 * v); // an offset mean, so that x - mean matters
  const out = await onBoth<Tensor>([x, input([4, 6, 5, 3], 52), input([3], 53), input([3], 54)], (xt, dy, gamma, beta) =>
    tf.grads((a, g, b) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(a, mean, variance, b, g, 1e-3), dy));
    })([xt, gamma, beta]),
  );
  assertClose(out.wasm[0], out.cpu[0], 'batch-norm input gradient');
  assertClose(out.wasm[1], out.cpu[1], 'batch-norm scale gradient');
  assertClose(out.wasm[2], out.cpu[2], 'batch-norm offset gradient');
});

test('repeated conv-net gradients keep the tensor count flat on wasm', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor4d(random(4 * 16 * 16 * 3, 6), [4, 16, 16, 3]);
  const w1 = tf.variable(tf.tensor4d(random(3 * 3 * 3 * 8, 7), [3, 3, 3, 8]));
  const w2 = tf.variable(tf.tensor4d(random(4 * 4 * 8 * 16, 8), [4, 4, 8, 16]));
  const loss = () => tf.mean(tf.conv2d(tf.relu(tf.conv2d(x, w1, 1, 'same')), w2, 2, 'same')).asScalar();
  const counts: number[] = [];
  for (let i = 0; i < 20; i++) {
    const { value, grads } = tf.variableGrads(loss);
    tf.dispose([value, ...Object.values(grads)]);
    counts.push(tf.memory().numTensors);
  }
  tf.dispose([x, w1, w2]);
  assert.deepEqual(new Set(counts).size, 1, `tensor counts drifted: ${counts.join(',')}`);
});

test('initEngine picks wasm here, honours force / TFJS_BACKEND, and is idempotent', async () => {
  const auto = await initEngine();
  assert.equal(auto.backend, 'wasm');
  assert.equal(auto.tf.getBackend(), 'wasm');
  assert.deepEqual(auto.tried.map((t) => t.name), ['tfjs-node-gpu', 'tfjs-node', 'wasm']);
  assert.ok(auto.tried[0].error && auto.tried[1].error, 'native packages are absent here and must be reported');
  assert.equal(await initEngine(), auto);

  const forced = await initEngine({ force: 'cpu' });
  assert.equal(forced.backend, 'cpu');
  assert.equal(forced.tf.getBackend(), 'cpu');
  process.env.TFJS_BACKEND = 'cpu';
  try {
    assert.equal((await initEngine()).backend, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
  } finally {
    delete process.env.TFJS_BACKEND;
  }
  await assert.rejects(initEngine({ force: 'tfjs-node' }), /TFJS backend 'tfjs-node' could not be loaded/);
  await assert.rejects(initEngine({ force: 'webgpu' }), /unknown TFJS backend 'webgpu'/);

  assert.equal(await initEngine(), auto);
  assert.equal(tf.getBackend(), 'wasm');
});
