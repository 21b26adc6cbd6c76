// Anatomy, contrast and lesion models of the brain phantom: sampled once per slice, evaluated per pixel.
import { AngularProfile, Rng, ValueNoise, fastAtan2, step } from './phantom-math';

/** Tissue intensities in [0, 1] for one acquisition; T1, T2 and FLAIR order the tissues differently. */
export interface Contrast {
  csf: number;
  gm: number;
  wm: number;
  scalp: number;
  bone: number;
  /** Sign of the usual lesion contrast (T1 lesions are mostly hypointense, T2/FLAIR hyperintense). */
  lesionSign: number;
  /** Multiplies the edema shift: FLAIR shows edema best, T1 barely. */
  edemaGain: number;
  sequence: 'T1' | 'T2' | 'FLAIR';
}

export function sampleContrast(rng: Rng): Contrast {
  const u = rng.next();
  const jitter = (v: number) => v + rng.range(-0.04, 0.04);
  if (u < 0.4) {
    return { sequence: 'T1', csf: jitter(0.1), gm: jitter(0.42), wm: jitter(0.6), scalp: jitter(0.85),
      bone: 0.03, lesionSign: -1, edemaGain: -0.5 };
  }
  if (u < 0.75) {
    return { sequence: 'T2', csf: jitter(0.9), gm: jitter(0.55), wm: jitter(0.4), scalp: jitter(0.6),
      bone: 0.03, lesionSign: 1, edemaGain: 1 };
  }
  return { sequence: 'FLAIR', csf: jitter(0.08), gm: jitter(0.55), wm: jitter(0.42), scalp: jitter(0.55),
    bone: 0.03, lesionSign: 1, edemaGain: 1.5 };
}

/** Deepest reach of sulci (0.24) and grey matter (0.215) below the brain surface, plus a margin. */
const CORTEX_DEPTH = 0.3;

interface Ventricles {
  centre: number; // position along the antero-posterior axis
  halfLength: number;
  gap: number; // half-width of the septum between the two ventricles
  width: number;
  spreadFront: number; // how far the frontal horns diverge from the midline
  spreadBack: number; // same for the occipital horns, usually more
  leftScale: number; // left/right asymmetry
}

/**
 * Brain geometry in head-normalised coordinates (p, q): the head outline is the unit circle
 * deformed by `outline`, q < 0 is anterior (top of the image, radiological convention).
 */
export interface Anatomy {
  outline: AngularProfile;
  scalpInner: number;
  scalpShade: AngularProfile;
  brainEdge: number;
  sulcusCount: number;
  sulcusPhase: number;
  sulcusWidth: number;
  sulcusReach: Float32Array; // depth of each sulcus, indexed by its zero crossing
  fold: ValueNoise;
  foldAmp: number;
  nuclei: { p: number; q: number; rp: number; rq: number }[];
  ventricles: Ventricles | null;
  fissureWidth: number;
  fissureGap: number;
  fissureCentre: number;
}

export function sampleAnatomy(rng: Rng): Anatomy {
  // Slice level: high slices have small or no ventricles and a longer uninterrupted fissure.
  const level = rng.next();
  const ventricles: Ventricles | null = level > 0.88 ? null : {
    centre: rng.range(-0.12, 0.05),
    halfLength: rng.range(0.22, 0.36) * (1.1 - 0.5 * level),
    gap: rng.range(0.012, 0.03),
    width: rng.range(0.035, 0.075) * (1.15 - 0.6 * level),
    spreadFront: rng.range(0.0, 0.08),
    spreadBack: rng.range(0.04, 0.14),
    leftScale: rng.range(0.8, 1.2),
  };
  const brainEdge = rng.range(0.85, 0.88);
  const sulcusCount = Math.round(rng.range(18, 28));
  return {
    outline: new AngularProfile(rng, [0.01, 0.035, 0.02, 0.01], 1),
    scalpInner: rng.range(0.9, 0.93),
    scalpShade: new AngularProfile(rng, [0.15, 0.15, 0.1, 0.08, 0.06], 1),
    brainEdge,
    sulcusCount,
    sulcusPhase: rng.range(0, 2 * Math.PI),
    sulcusWidth: rng.range(0.1, 0.18),
    sulcusReach: Float32Array.from({ length: 2 * sulcusCount }, () => rng.range(0.05, 0.24)),
    fold: new ValueNoise(rng, 12),
    foldAmp: rng.range(2, 3),
    nuclei: ventricles ? sampleNuclei(rng, ventricles) : [],
    ventricles,
    fissureWidth: rng.range(0.008, 0.016),
    fissureGap: ventricles ? ventricles.halfLength * 0.9 : rng.range(0, 0.08),
    fissureCentre: ventricles?.centre ?? 0,
  };
}

/** Deep grey matter (caudate heads beside the frontal horns, lentiform nuclei further out), mirrored. */
function sampleNuclei(rng: Rng, v: Ventricles): Anatomy['nuclei'] {
  const caudate = { p: v.gap + v.width * 2.2 + v.spreadFront * 0.3, q: v.centre - v.halfLength * 0.55, rp: 0.05, rq: 0.08 };
  const lentiform = { p: rng.range(0.24, 0.3), q: v.centre + rng.range(-0.05, 0.05), rp: 0.06, rq: rng.range(0.12, 0.17) };
  return [caudate, lentiform];
}

function ventricleWeight(v: Ventricles, p: number, q: number, px: number): number {
  const t = (q - v.centre) / v.halfLength;
  if (t <= -1 || t >= 1) return 0;
  const spread = t < 0 ? v.spreadFront : v.spreadBack;
  // Frontal horns end bluntly, occipital horns taper to a point.
  const profile = t < 0 ? 1.15 * Math.sqrt(1 - t * t) : 0.85 * (1 - t * t);
  const width = v.width * (p < 0 ? v.leftScale : 1) * profile;
  const axis = v.gap + v.width + spread * t * t;
  return step(width - Math.abs(Math.abs(p) - axis), px);
}

/** Outside the brain: a scalp whose brightness and thickness vary around the head, over a dark skull. */
export function scalpAt(a: Anatomy, c: Contrast, theta: number, rho: number, pxRho: number): number {
  const shade = a.scalpShade.at(theta);
  const inner = a.scalpInner - 0.1 * shade * (1 - a.scalpInner);
  // Subcutaneous fat peaks mid-scalp, so the ring is brightest inside, not at its edges (parabola).
  const across = Math.min(1, Math.max(0, (rho - inner) / (1 - inner)));
  const scalp = c.scalp * (1 + shade) * (0.7 + 1.2 * across * (1 - across));
  return scalp + (c.bone - scalp) * step(inner - rho, pxRho);
}

/**
 * Healthy tissue intensity at (p, q); theta and rho (radius relative to the outline) are passed in
 * because the caller already needs them for the skull layers.
 */
export function tissueAt(a: Anatomy, c: Contrast, p: number, q: number, theta: number, rho: number, px: number): number {
  const depth = a.brainEdge - rho; // 0 at the cortical surface, growing inwards
  let value = c.wm;
  let csf = 0;
  // Below CORTEX_DEPTH neither sulci nor grey matter reach, so the costly cortex model is skipped there.
  if (depth < CORTEX_DEPTH) {
    // A sine in angle, bent by smooth noise so sulci fold instead of being spokes.
    const phase = a.sulcusCount * theta + a.sulcusPhase + a.foldAmp * a.fold.at(p, q);
    const s = Math.abs(Math.sin(phase));
    // White matter reaches shallow under gyral crowns and stays deep under sulci, like real gyri.
    value = c.gm + (c.wm - c.gm) * step(depth - 0.05 - 0.14 * (1 - s), 0.05);
    // Sulci are the zero crossings of the sine: crossing k has its own depth, so they are not a regular comb.
    // The offset keeps the crossing index positive (|phase| < 4 pi count), so one integer modulo suffices.
    const count = a.sulcusReach.length;
    const sulcusReach = a.sulcusReach[((Math.round(phase / Math.PI) + 4 * count) | 0) % count];
    // Sulci taper with depth, so they read as clefts rather than bars.
    const sulcusWidth = a.sulcusWidth * (1 - (0.5 * depth) / sulcusReach);
    // Anti-aliasing: soften by the phase change across one pixel, so thin sulci blur instead of breaking up.
    const sulcusSoftness = Math.max(0.1, (a.sulcusCount * px) / Math.max(rho, 0.1));
    csf = step(sulcusWidth - s, sulcusSoftness) * step(sulcusReach - depth, 0.03);
    csf = Math.max(csf, step(0.012 - depth, px) * 0.8);
  }
  for (const n of a.nuclei) {
    const dp = (Math.abs(p) - n.p) / n.rp;
    const dq = (q - n.q) / n.rq;
    const d2 = dp * dp + dq * dq;
    if (d2 < 2) value += (c.gm - value) * 0.6 * step(1 - Math.sqrt(d2), 0.8);
  }
  if (Math.abs(p) < 0.05) {
    // The fissure wavers a little, as a real one does, reusing the fold field along the midline.
    const offMidline = Math.abs(p + 0.015 * a.fold.at(0, q));
    csf = Math.max(csf, 0.8 * step(a.fissureWidth - offMidline, px) * step(Math.abs(q - a.fissureCentre) - a.fissureGap, px));
  }
  if (a.ventricles) csf = Math.max(csf, ventricleWeight(a.ventricles, p, q, px));
  return value + (c.csf - value) * csf;
}

/** One lesion in head-frame units (u, v), isotropic, unlike (p, q) which is scaled per axis. */
export interface Lesion {
  cu: number;
  cv: number;
  radius: number;
  shape: AngularProfile;
  value: number;
  heterogeneity: number;
  texture: ValueNoise;
  rim: { width: number; coreValue: number } | null;
  edemaReach: number; // outer edge of the edema halo, in lesion radii (1 = no halo)
  edemaShift: number;
  massEffect: number; // fraction by which nearby anatomy is pushed outwards
}

/**
 * Samples a lesion whose radius is a fraction of the brain diameter. About one in seven is
 * "subtle": small contrast, no rim, edema or mass effect, so the task is learnable (BrainCNN at
 * the quick preset gets most of them) but not trivial.
 */
export function sampleLesion(rng: Rng, c: Contrast, rx: number, ry: number, brainEdge: number, sizeScale: number): Lesion {
  const brainDiameter = brainEdge * (rx + ry);
  const radius = brainDiameter * rng.range(0.06, 0.2) * sizeScale;
  // Big lesions sit more centrally so they stay inside the brain; small ones may reach the cortex.
  const reach = Math.max(0.1, brainEdge * 0.9 - (radius / Math.min(rx, ry)) * 0.6);
  const angle = rng.range(0, 2 * Math.PI);
  const dist = reach * Math.sqrt(rng.next());
  const tier = rng.next();
  const subtle = tier < 0.15;
  const magnitude = subtle ? rng.range(0.05, 0.09) : tier < 0.45 ? rng.range(0.14, 0.24) : rng.range(0.24, 0.4);
  // T1 lesions are hypointense unless contrast-enhanced; a few T2/FLAIR lesions are dark too.
  const flip = c.sequence === 'T1' ? rng.chance(0.45) : rng.chance(0.12);
  const sign = flip ? -c.lesionSign : c.lesionSign;
  const reference = (c.gm + c.wm) / 2;
  const value = reference + sign * magnitude;
  const rim = !subtle && rng.chance(0.35)
    ? { width: rng.range(0.25, 0.45), coreValue: reference + rng.range(-0.5, 0.5) * magnitude - sign * magnitude * 0.6 }
    : null;
  const hasEdema = !subtle && rng.chance(0.55);
  return {
    cu: Math.cos(angle) * dist * rx,
    cv: Math.sin(angle) * dist * ry,
    radius,
    shape: new AngularProfile(rng, [0.12, 0.1, 0.06, 0.04], 2),
    value,
    heterogeneity: rng.range(0, subtle ? 0.05 : 0.3),
    texture: new ValueNoise(rng, 6),
    rim,
    edemaReach: hasEdema ? rng.range(1.4, 2.2) : 1,
    edemaShift: hasEdema ? c.edemaGain * rng.range(0.06, 0.16) : 0,
    massEffect: !subtle && rng.chance(0.5) ? rng.range(0.1, 0.3) : 0,
  };
}

/** Blends lesion `l` over tissue value `base` at head-frame point (u, v); px is the pixel size in (u, v). */
export function applyLesion(l: Lesion, u: number, v: number, base: number, px: number): number {
  const du = u - l.cu;
  const dv = v - l.cv;
  const dist2 = du * du + dv * dv;
  // Bounds the lesion: shape harmonics stretch it by up to 1.32 and its soft edge by 1.075 more.
  const outer = l.radius * 1.45 * l.edemaReach;
  if (dist2 > outer * outer) return base;
  const d = Math.sqrt(dist2) / (l.radius * (1 + l.shape.at(fastAtan2(dv, du))));
  const texture = l.texture.at(du / outer, dv / outer);
  let value = base;
  if (d > 1 && l.edemaReach > 1) {
    // Edema is a plateau that fades towards its edge, patchy because it follows white-matter tracts.
    const x = Math.min(1, (d - 1) / (l.edemaReach - 1));
    value += l.edemaShift * (1 - x * x) * (0.6 + 0.4 * texture);
  }
  // Soft margins: real lesions blur into tissue over a pixel or two, they are not cut out.
  const inside = step(1 - d, Math.max(px / l.radius, 0.15));
  if (inside === 0) return value;
  let lesion = l.value * (1 + l.heterogeneity * texture);
  // Enhancing rims are uneven in thickness, so the rim width follows the lesion texture.
  if (l.rim) lesion += (l.rim.coreValue - lesion) * step(1 - l.rim.width * (1 + 0.6 * texture) - d, 0.2);
  return value + (lesion - value) * inside;
}
