// SSIM and multi-scale SSIM (Wang et al. 2003) for greyscale square images, and the mean
// pairwise MS-SSIM of a set: a within-class diversity measure for synthetic MRI slices
// (higher = less diverse, 1 = all identical), the usual check for GAN mode collapse.
import { createRng } from '../../lib/rng';

export type GreyImage = Uint8Array | Float32Array | Float64Array;

const MS_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];
const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

/** To [0,1]: Uint8Array is divided by 255; float arrays are used as is unless their max exceeds 1. */
function toUnit(img: GreyImage): Float64Array {
  const out = new Float64Array(img.length);
  let max = 0;
  for (let i = 0; i < img.length; i++) if (img[i] > max) max = img[i];
  const scale = img instanceof Uint8Array || max > 1 ? 1 / 255 : 1;
  for (let i = 0; i < img.length; i++) out[i] = img[i] * scale;
  return out;
}

function gaussianWindow(len: number, sigma: number): Float64Array {
  const w = new Float64Array(len);
  const c = (len - 1) / 2;
  let s = 0;
  for (let i = 0; i < len; i++) s += w[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < len; i++) w[i] /= s;
  return w;
}

/** Separable 'valid' filtering of an n x n image; result is (n-len+1)^2. */
function filterValid(img: Float64Array, n: number, w: Float64Array): Float64Array {
  const len = w.length;
  const m = n - len + 1;
  const tmp = new Float64Array(n * m);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < m; x++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += img[y * n + x + k] * w[k];
      tmp[y * m + x] = s;
    }
  }
  const out = new Float64Array(m * m);
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += tmp[(y + k) * m + x] * w[k];
      out[y * m + x] = s;
    }
  }
  return out;
}

/** Mean luminance*contrast*structure and mean contrast*structure terms at one scale. */
function ssimTerms(a: Float64Array, b: Float64Array, n: number): { ssim: number; cs: number } {
  const w = gaussianWindow(Math.min(11, n), 1.5);
  const ab = new Float64Array(a.length), aa = new Float64Array(a.length), bb = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    ab[i] = a[i] * b[i];
    aa[i] = a[i] * a[i];
    bb[i] = b[i] * b[i];
  }
  const muA = filterValid(a, n, w), muB = filterValid(b, n, w);
  const eAA = filterValid(aa, n, w), eBB = filterValid(bb, n, w), eAB = filterValid(ab, n, w);
  let ssimSum = 0, csSum = 0;
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i], mb = muB[i];
    const va = eAA[i] - ma * ma, vb = eBB[i] - mb * mb, cov = eAB[i] - ma * mb;
    const cs = (2 * cov + C2) / (va + vb + C2);
    const l = (2 * ma * mb + C1) / (ma * ma + mb * mb + C1);
    csSum += cs;
    ssimSum += l * cs;
  }
  return { ssim: ssimSum / muA.length, cs: csSum / muA.length };
}

function checkPair(a: GreyImage, b: GreyImage, size: number): void {
  if (a.length !== size * size || b.length !== size * size) throw new Error(`images must be ${size}x${size}`);
}

/** Mean SSIM (11x11 Gaussian window, sigma 1.5, 'valid' region, dynamic range 1). */
export function ssim(a: GreyImage, b: GreyImage, size: number): number {
  checkPair(a, b, size);
  return ssimTerms(toUnit(a), toUnit(b), size).ssim;
}

/** 2x2 average pooling (odd trailing row/column dropped). */
function halve(img: Float64Array, n: number): Float64Array {
  const m = Math.floor(n / 2);
  const out = new Float64Array(m * m);
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      const i = 2 * y * n + 2 * x;
      out[y * m + x] = 0.25 * (img[i] + img[i + 1] + img[i + n] + img[i + n + 1]);
    }
  }
  return out;
}

/** Scales used: as many of 3..5 as keep the coarsest side >= 11 (3 for small images). */
export function msSsimScales(size: number): number {
  let scales = 5;
  while (scales > 3 && Math.floor(size / 2 ** (scales - 1)) < 11) scales--;
  return scales;
}

/**
 * MS-SSIM = prod_j cs_j^w_j * l_M^w_M with the standard weights, renormalised when fewer than
 * 5 scales fit. Negative cs/ssim values are clamped to 0 so the power stays real.
 */
export function msSsim(a: GreyImage, b: GreyImage, size: number): number {
  checkPair(a, b, size);
  const scales = msSsimScales(size);
  const weights = MS_WEIGHTS.slice(0, scales);
  const wsum = weights.reduce((p, v) => p + v, 0);
  let x = toUnit(a), y = toUnit(b), n = size;
  let result = 1;
  for (let s = 0; s < scales; s++) {
    const { ssim: full, cs } = ssimTerms(x, y, n);
    const w = weights[s] / wsum;
    result *= Math.max(s === scales - 1 ? full : cs, 0) ** w;
    if (s < scales - 1) {
      x = halve(x, n);
      y = halve(y, n);
      n = Math.floor(n / 2);
    }
  }
  return result;
}

/**
 * Mean MS-SSIM over random distinct pairs (all pairs if `pairs` covers them). Higher = less
 * diverse; compare synthetic against real images of the same class.
 */
export function meanPairwiseMsSsim(
  images: GreyImage[],
  size: number,
  opts: { pairs?: number; seed?: number } = {},
): number {
  const n = images.length;
  if (n < 2) throw new Error('need at least 2 images');
  const total = (n * (n - 1)) / 2;
  const pairs = Math.max(1, opts.pairs ?? 200);
  let sum = 0, count = 0;
  if (pairs >= total) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { sum += msSsim(images[i], images[j], size); count++; }
  } else {
    const rand = createRng(opts.seed ?? 0);
    while (count < pairs) {
      const i = Math.floor(rand() * n), j = Math.floor(rand() * n);
      if (i === j) continue;
      sum += msSsim(images[i], images[j], size);
      count++;
    }
  }
  return sum / count;
}
