// Synthetic-image quality metrics (FID, KID, manifold precision/recall, MS-SSIM, memorisation,
// mode collapse) on small synthetic cases with known answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frechetDistance, kernelInceptionDistance } from '../../workers/eval/frechet';
import { covariance, gaussian, mean, matMul, sqrtPsd, symmetricEigen } from '../../workers/eval/linalg';
import { createRng } from '../../lib/rng';
import { manifoldPrecisionRecall } from '../../workers/eval/prd';
import { meanPairwiseMsSsim, msSsim, ssim } from '../../workers/eval/ms-ssim';
import { memorizationReport, modeCollapseLikely, nearestDistances } from '../../workers/eval/memorization';
import { classQuality, standardise } from '../../workers/eval/quality-report';

const rand = createRng(42);

/** n x d correlated Gaussian features (random linear mix of standard normals). */
function features(n: number, d: number, shift = 0, r = rand, mixSeed = 7): Float64Array[] {
  const mr = createRng(mixSeed);
  const mix = Array.from({ length: d * d }, () => gaussian(mr) / Math.sqrt(d));
  return Array.from({ length: n }, () => {
    const z = Array.from({ length: d }, () => gaussian(r));
    const x = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = z[i];
      for (let j = 0; j < d; j++) s += mix[i * d + j] * z[j];
      x[i] = s + shift;
    }
    return x;
  });
}

const SIDE = 32;
/** Greyscale image in [0,1]: a few Gaussian blobs plus slight pixel noise. */
function blobImage(r = rand, side = SIDE): Float32Array {
  const img = new Float32Array(side * side);
  const nb = 2 + Math.floor(r() * 4);
  for (let b = 0; b < nb; b++) {
    const cx = r() * side, cy = r() * side, rad = 2 + r() * side / 5, amp = 0.3 + 0.7 * r();
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) img[y * side + x] += amp * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * rad * rad));
    }
  }
  for (let i = 0; i < img.length; i++) img[i] = Math.min(1, Math.max(0, img[i] + 0.02 * gaussian(r)));
  return img;
}
const noisy = (img: Float32Array, sigma: number) => img.map((v) => Math.min(1, Math.max(0, v + sigma * gaussian(rand))));

test('symmetric eigendecomposition and PSD square root reproduce the matrix', () => {
  const c = covariance(features(50, 6));
  const s = sqrtPsd(c);
  const back = matMul(s, s);
  for (let i = 0; i < c.data.length; i++) assert.ok(Math.abs(back.data[i] - c.data[i]) < 1e-9);
  const eig = symmetricEigen({ d: 2, data: Float64Array.from([2, 1, 1, 2]) });
  assert.deepEqual(Array.from(eig.values).map((v) => Math.round(v * 1e9) / 1e9).sort(), [1, 3]);
});

test('FID: ~0 against itself, ||shift||^2 under a mean shift, symmetric, exact when scaled by 2', () => {
  const a = features(400, 16);
  assert.ok(frechetDistance(a, a) < 1e-8, `self ${frechetDistance(a, a)}`);
  const shift = Float64Array.from({ length: 16 }, (_, j) => (j % 4) * 0.5 - 0.3);
  const shifted = a.map((x) => x.map((v, j) => v + shift[j]));
  const expected = shift.reduce((p, v) => p + v * v, 0);
  assert.ok(Math.abs(frechetDistance(a, shifted) - expected) < 1e-6, `shift ${frechetDistance(a, shifted)} vs ${expected}`);
  const b = features(300, 16, 0.2);
  const ab = frechetDistance(a, b), ba = frechetDistance(b, a);
  assert.ok(ab > 0.5 && Math.abs(ab - ba) < 1e-7 * ab, `symmetry ${ab} ${ba}`);
  // b = 2a: ||mu||^2 + Tr(C + 4C - 2 * 2C) = ||mu||^2 + Tr(C)
  const c = covariance(a);
  let tr = mean(a).reduce((p, v) => p + v * v, 0);
  for (let i = 0; i < 16; i++) tr += c.data[i * 16 + i];
  const scaled = frechetDistance(a, a.map((x) => x.map((v) => 2 * v)));
  assert.ok(Math.abs(scaled - tr) < 1e-6 * tr, `scaled ${scaled} vs ${tr}`);
});

test('KID: ~0 for the same distribution, clearly positive under a shift', () => {
  const a = features(300, 8, 0, createRng(1));
  const indep = features(300, 8, 0, createRng(2));
  const shifted = features(300, 8, 0.5, createRng(3));
  const opts = { subsets: 20, subsetSize: 100, seed: 1 };
  const k0 = kernelInceptionDistance(a, a, opts);
  const k1 = kernelInceptionDistance(a, indep, opts);
  const k2 = kernelInceptionDistance(a, shifted, opts);
  assert.ok(Math.abs(k0.mean) < 3 * k0.std + 1e-3, `same ${JSON.stringify(k0)}`);
  assert.ok(Math.abs(k1.mean) < 3 * k1.std + 1e-3, `indep ${JSON.stringify(k1)}`);
  assert.ok(k2.mean > 10 * Math.abs(k1.mean), `indep ${k1.mean} vs shifted ${k2.mean}`);
  assert.ok(k2.mean > 3 * k2.std && k2.mean > 0.05);
});

test('manifold precision/recall: 1/1 on the same set, 0 precision far away, low recall when collapsed', () => {
  const real = features(200, 8);
  assert.deepEqual(manifoldPrecisionRecall(real, real, 3), { precision: 1, recall: 1 });
  const far = real.map((x) => x.map((v) => v + 100));
  assert.equal(manifoldPrecisionRecall(real, far).precision, 0);
  const centre = real[0].map(() => 0);
  const collapsed = real.map(() => centre.map(() => 0.01 * gaussian(rand)));
  const pr = manifoldPrecisionRecall(real, collapsed);
  assert.ok(pr.recall < 0.1, `recall ${pr.recall}`);
  assert.ok(pr.precision > 0.9, `precision ${pr.precision}`);
});

test('SSIM and MS-SSIM are 1 for identical images and fall with noise', () => {
  const a = blobImage(rand, 64);
  assert.ok(Math.abs(ssim(a, a, 64) - 1) < 1e-9);
  assert.ok(Math.abs(msSsim(a, a, 64) - 1) < 1e-9);
  const u8 = Uint8Array.from(a, (v) => Math.round(v * 255));
  assert.ok(Math.abs(ssim(u8, a, 64) - 1) < 1e-3, 'Uint8 images are rescaled to [0,1]');
  let prevS = 1, prevM = 1;
  for (const sigma of [0.02, 0.1, 0.3]) {
    const b = noisy(a, sigma);
    const s = ssim(a, b, 64), m = msSsim(a, b, 64);
    assert.ok(s < prevS && m < prevM && m > 0, `sigma ${sigma}: ssim ${s}, ms-ssim ${m}`);
    prevS = s;
    prevM = m;
  }
  const small = blobImage(rand, 24); // fewer pixels than 3 scales of 11-px windows need: window shrinks
  assert.ok(Math.abs(msSsim(small, small, 24) - 1) < 1e-9);
  assert.ok(msSsim(small, noisy(small, 0.2), 24) < msSsim(small, noisy(small, 0.02), 24));
  const same = Array.from({ length: 4 }, () => a);
  assert.ok(Math.abs(meanPairwiseMsSsim(same, 64) - 1) < 1e-9);
  const diverse = Array.from({ length: 8 }, () => blobImage(rand, 64));
  assert.ok(meanPairwiseMsSsim(diverse, 64, { pairs: 10, seed: 3 }) < 0.9);
});

test('nearestDistances is exact (brute-force check), with downsampling and self-exclusion', () => {
  const q = Array.from({ length: 30 }, () => blobImage());
  const r = Array.from({ length: 80 }, () => blobImage());
  const brute = (qs: Float32Array[], rs: Float32Array[], skipSelf: boolean) =>
    qs.map((a, i) => {
      let best = Infinity, bj = -1;
      rs.forEach((b, j) => {
        if (skipSelf && i === j) return;
        let s = 0;
        for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
        if (s < best) { best = s; bj = j; }
      });
      return { d: Math.sqrt(best), j: bj };
    });
  const res = nearestDistances(q, r);
  brute(q, r, false).forEach(({ d, j }, i) => {
    assert.equal(res.index[i], j);
    assert.ok(Math.abs(res.distance[i] - d) < 1e-4);
  });
  const self = nearestDistances(r, r, { excludeSelf: true });
  brute(r, r, true).forEach(({ j }, i) => assert.equal(self.index[i], j));
  const half = nearestDistances(q, r, { downsample: 2 });
  assert.equal(half.distance.length, q.length);
  assert.ok(half.distance.every((d) => Number.isFinite(d) && d >= 0));
});

test('copies of training images are flagged as memorisation; independent samples are not', () => {
  const train = Array.from({ length: 200 }, () => blobImage());
  const heldOut = Array.from({ length: 100 }, () => blobImage());
  const copies = Array.from({ length: 100 }, (_, i) => noisy(train[(i * 7) % train.length], 0.005));
  const copied = memorizationReport(copies, train, heldOut, { closestPairs: 5 });
  assert.ok(copied.copyingLikely);
  assert.ok(copied.memorizationRatio < 0.3, `ratio ${copied.memorizationRatio}`);
  assert.equal(copied.closest.length, 5);
  assert.ok(copied.closest[0].distance <= copied.closest[4].distance);
  assert.equal(copied.closest[0].trainIndex, (copied.closest[0].syntheticIndex * 7) % train.length);
  const fresh = Array.from({ length: 100 }, () => blobImage());
  const honest = memorizationReport(fresh, train, heldOut);
  assert.ok(!honest.copyingLikely);
  assert.ok(honest.memorizationRatio > 0.8 && honest.memorizationRatio < 1.25, `ratio ${honest.memorizationRatio}`);
});

test('mode collapse: identical or few-mode sets are flagged, diverse sets are not', () => {
  const real = Array.from({ length: 60 }, () => blobImage());
  const one = blobImage();
  assert.ok(modeCollapseLikely(Array.from({ length: 40 }, () => one)));
  assert.ok(modeCollapseLikely(Array.from({ length: 40 }, () => one), real));
  const modes = Array.from({ length: 4 }, () => blobImage());
  assert.ok(modeCollapseLikely(Array.from({ length: 40 }, (_, i) => modes[i % 4])));
  const nearlyOne = Array.from({ length: 40 }, () => noisy(one, 0.01));
  assert.ok(modeCollapseLikely(nearlyOne, real), 'tiny spread relative to real data');
  const diverse = Array.from({ length: 40 }, () => blobImage());
  assert.ok(!modeCollapseLikely(diverse));
  assert.ok(!modeCollapseLikely(diverse, real));
});

test('the class report: copies of the training images are flagged as copying; independent images from the same source are not', () => {
  const toU8 = (img: Float32Array) => Uint8Array.from(img, (v) => Math.round(v * 255));
  const train = Array.from({ length: 60 }, () => toU8(blobImage()));
  const heldOut = Array.from({ length: 30 }, () => toU8(blobImage()));
  const fresh = Array.from({ length: 40 }, () => toU8(blobImage()));
  const f = { realTrain: features(60, 6), realHeldOut: features(30, 6) };
  // The encoder calls every image a tumour: full class fidelity.
  const predicted = { synthetic: Array(40).fill(1), realHeldOut: Array(30).fill(1) };
  const copied = classQuality({ imageClass: 'tumor', size: SIDE, synthetic: train.slice(0, 40), realTrain: train, realHeldOut: heldOut, features: { ...f, synthetic: f.realTrain.slice(0, 40) }, predicted, seed: 0 });
  assert.ok(copied.memorization.copyingLikely);
  assert.ok(copied.memorization.memorizationRatio < 0.05);
  assert.ok(copied.warnings.some((w) => w.startsWith('Copying likely')));
  const independent = classQuality({ imageClass: 'tumor', size: SIDE, synthetic: fresh, realTrain: train, realHeldOut: heldOut, features: { ...f, synthetic: features(40, 6) }, predicted, seed: 0 });
  assert.equal(independent.memorization.copyingLikely, false);
  assert.ok(independent.memorization.memorizationRatio > 0.8);
  assert.ok(independent.precision > 0.5 && independent.fid < 1, `fid ${independent.fid}`);
  // Far-off features (a generator that makes something else): FID well above the real baseline,
  // few synthetic images inside the real manifold, and a warning.
  const far = classQuality({ imageClass: 'tumor', size: SIDE, synthetic: fresh, realTrain: train, realHeldOut: heldOut, features: { ...f, synthetic: features(40, 6, 5) }, predicted, seed: 0 });
  assert.ok(far.fid > 10 * far.fidRealBaseline && far.precision < 0.1);
  assert.ok(far.warnings.some((w) => w.includes('precision')));
  assert.deepEqual(independent.classFidelity, { synthetic: 1, realHeldOut: 1 });
  assert.ok(!independent.warnings.some((w) => w.includes('calls only')));

  // Class fidelity: realistic images the real-trained encoder rarely calls tumours (a tumour
  // generator that draws healthy heads) are flagged; a small gap to the real images is not.
  const healthyLooking = { synthetic: Array.from({ length: 40 }, (_, i) => (i < 22 ? 1 : 0)), realHeldOut: Array.from({ length: 30 }, (_, i) => (i < 24 ? 1 : 0)) };
  const unfaithful = classQuality({ imageClass: 'tumor', size: SIDE, synthetic: fresh, realTrain: train, realHeldOut: heldOut, features: { ...f, synthetic: features(40, 6) }, predicted: healthyLooking, seed: 0 });
  assert.deepEqual(unfaithful.classFidelity, { synthetic: 22 / 40, realHeldOut: 0.8 });
  assert.ok(unfaithful.warnings.some((w) => w.includes('calls only 55% of these synthetic images tumor (80% of real held-out ones)')), unfaithful.warnings.join(' | '));
  const close = classQuality({ imageClass: 'tumor', size: SIDE, synthetic: fresh, realTrain: train, realHeldOut: heldOut, features: { ...f, synthetic: features(40, 6) }, predicted: { ...healthyLooking, synthetic: Array.from({ length: 40 }, (_, i) => (i < 28 ? 1 : 0)) }, seed: 0 });
  assert.ok(!close.warnings.some((w) => w.includes('calls only')), 'a 10-point gap is no warning');
  // For the healthy class, label 0 is the class.
  const healthy = classQuality({ imageClass: 'healthy', size: SIDE, synthetic: fresh, realTrain: train, realHeldOut: heldOut, features: { ...f, synthetic: features(40, 6) }, predicted: healthyLooking, seed: 0 });
  assert.deepEqual(healthy.classFidelity, { synthetic: 18 / 40, realHeldOut: 0.2 });
});

test('standardise maps the reference to zero mean and unit spread per feature', () => {
  const ref = [Float64Array.of(1, 100), Float64Array.of(3, 300)];
  const [z] = standardise(ref, [ref]);
  assert.deepEqual(z.map((r) => Array.from(r, (v) => Number(v.toFixed(6)))), [[-1, -1], [1, 1]]);
});
