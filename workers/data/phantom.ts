// Deterministic generator of preprocessed brain-MRI-like phantom slices, so the product works without Br35H.
import { GAUSS, Rng, ToneCurve, ValueNoise, fastAtan2, hashSeed, step } from './phantom-math';
import { type Anatomy, type Contrast, type Lesion, applyLesion, sampleAnatomy, scalpAt, sampleContrast, sampleLesion, tissueAt } from './phantom-shapes';

export interface PhantomOptions {
  seed: number;
  index: number;
  tumor: boolean;
  size: number;
}

// Separate random streams: a tumour slice and the healthy slice with the same (seed, index) share
// anatomy and noise and differ only by the lesion, which keeps the label the only systematic cue.
const STREAM_ANATOMY = 1;
const STREAM_LESION = 2;
const STREAM_NOISE = 3;

/** Head pose in the image: rotation, semi-axes and the offset that centres its bounding box. */
interface Frame {
  cos: number;
  sin: number;
  rx: number;
  ry: number;
  cx: number;
  cy: number;
}

/**
 * Mimics the paper's preprocessing (crop to the head's bounding box, pad keeping the aspect
 * ratio, resize): the deformed, rotated outline is scaled so its longer side fills the frame
 * minus a small margin, and its bounding box is centred.
 */
function sampleFrame(rng: Rng, a: Anatomy): Frame {
  const angle = rng.range(-0.25, 0.25);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const rx = rng.range(0.74, 0.9); // axial heads are longer front-to-back than wide
  const margin = rng.range(0.03, 0.08);
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let b = 0; b < 360; b++) {
    const theta = -Math.PI + (2 * Math.PI * b) / 360;
    const r = 1 + a.outline.at(theta);
    const u = rx * Math.cos(theta) * r;
    const v = Math.sin(theta) * r;
    const x = u * cos - v * sin;
    const y = u * sin + v * cos;
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const scale = (2 * (1 - margin)) / Math.max(maxX - minX, maxY - minY);
  return { cos, sin, rx: rx * scale, ry: scale, cx: ((minX + maxX) / 2) * scale, cy: ((minY + maxY) / 2) * scale };
}

export function generatePhantom(opts: PhantomOptions): Uint8Array {
  const { seed, index, tumor, size } = opts;
  if (!Number.isInteger(size) || size < 8) throw new RangeError(`phantom size must be an integer >= 8, got ${size}`);
  const rng = new Rng(hashSeed(seed, index, STREAM_ANATOMY));
  const anatomy = sampleAnatomy(rng);
  const contrast = sampleContrast(rng);
  const frame = sampleFrame(rng, anatomy);
  const texture = new ValueNoise(rng, 6);
  const textureAmp = rng.range(0.03, 0.08);
  // Coil sensitivity makes real scans brighter on one side: a mild linear bias field.
  const biasAngle = rng.range(0, 2 * Math.PI);
  const biasStrength = rng.range(0, 0.15);
  const biasX = biasStrength * Math.cos(biasAngle);
  const biasY = biasStrength * Math.sin(biasAngle);
  const tone = new ToneCurve(rng.range(0.75, 1.1), rng.range(0.85, 1.2));
  const sigma = rng.range(0.012, 0.04);

  const lesions: Lesion[] = [];
  if (tumor) {
    const lesionRng = new Rng(hashSeed(seed, index, STREAM_LESION));
    const count = lesionRng.chance(0.15) ? 2 : 1;
    for (let i = 0; i < count; i++) {
      lesions.push(sampleLesion(lesionRng, contrast, frame.rx, frame.ry, anatomy.brainEdge, i === 0 ? 1 : 0.7));
    }
  }
  const noise = new Rng(hashSeed(seed, index, STREAM_NOISE));

  const { cos, sin, rx, ry, cx, cy } = frame;
  const px = 2 / size; // one pixel in head-frame units
  const pxRho = px / Math.min(rx, ry); // and in outline-relative radius
  const out = new Uint8Array(size * size);
  for (let i = 0; i < size; i++) {
    const y = ((i + 0.5) * 2) / size - 1;
    for (let j = 0; j < size; j++) {
      const x = ((j + 0.5) * 2) / size - 1;
      const u = (x - cx) * cos + (y - cy) * sin;
      const v = -(x - cx) * sin + (y - cy) * cos;
      const p = u / rx;
      const q = v / ry;
      const r = Math.sqrt(p * p + q * q);
      let value = 0;
      if (r < 1.1) {
        const theta = fastAtan2(q, p);
        const rho = r / (1 + anatomy.outline.at(theta));
        if (rho < 1 + pxRho) {
          // Bright scalp ring, dark bone gap, then brain, each with a partial-volume edge.
          const inBrain = step(anatomy.brainEdge - rho, pxRho);
          if (inBrain < 1) value = scalpAt(anatomy, contrast, theta, rho, pxRho);
          if (inBrain > 0) {
            const brain = lesions.length === 0
              ? tissueAt(anatomy, contrast, p, q, theta, rho, pxRho)
              : lesionedValue(anatomy, contrast, lesions, u, v, p, q, theta, rho, frame, px, pxRho);
            value += (brain - value) * inBrain;
          }
          value *= step(1 - rho, pxRho) * (1 + textureAmp * texture.at(x, y));
        }
      }
      value *= 1 + biasX * x + biasY * y;
      value = tone.apply(value);
      // Rician magnitude noise: |signal + complex Gaussian|, which keeps the background dark but not black.
      const n = noise.uint32();
      const re = value + sigma * GAUSS[n & 0xfff];
      const im = sigma * GAUSS[n >>> 20];
      const level = Math.sqrt(re * re + im * im) * 255 + 0.5;
      out[i * size + j] = level < 255 ? level | 0 : 255;
    }
  }
  return out;
}

/** Brain tissue near lesions: anatomy pushed away by any mass effect, then the lesions painted over it. */
function lesionedValue(
  a: Anatomy, c: Contrast, lesions: Lesion[],
  u: number, v: number, p: number, q: number, theta: number, rho: number,
  frame: Frame, px: number, pxRho: number,
): number {
  let uw = u;
  let vw = v;
  for (const l of lesions) {
    if (l.massEffect === 0) continue;
    const du = uw - l.cu;
    const dv = vw - l.cv;
    const reach2 = 6 * l.radius * l.radius; // displacement decays over about 2.5 lesion radii
    const d2 = du * du + dv * dv;
    if (d2 > 4 * reach2) continue; // exp(-4): the displacement left out is well under a pixel
    // Sampling anatomy closer to the centre displaces it outwards; 1 - m stays > 0 so the map is monotonic.
    const f = 1 - l.massEffect * Math.exp(-d2 / reach2);
    uw = l.cu + du * f;
    vw = l.cv + dv * f;
  }
  let value: number;
  if (uw === u && vw === v) {
    value = tissueAt(a, c, p, q, theta, rho, pxRho);
  } else {
    const pw = uw / frame.rx;
    const qw = vw / frame.ry;
    const thetaW = fastAtan2(qw, pw);
    value = tissueAt(a, c, pw, qw, thetaW, Math.sqrt(pw * pw + qw * qw) / (1 + a.outline.at(thetaW)), pxRho);
  }
  for (const l of lesions) value = applyLesion(l, u, v, value, px);
  return value;
}
