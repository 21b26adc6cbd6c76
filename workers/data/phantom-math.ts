// Numeric helpers for the MRI phantom generator: seeded draws, noise tables, smooth random fields, fast lookups.
import { createRng } from '../../lib/rng';

/** The project's seeded mulberry32 stream (lib/rng.ts), with the draws the phantom needs. */
export class Rng {
  private readonly draw: () => number;

  constructor(seed: number) {
    this.draw = createRng(seed);
  }

  uint32(): number {
    return this.draw() * 4294967296;
  }

  next(): number {
    return this.draw();
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * Folds integers into one 32-bit seed with the murmur3 finaliser, so neighbouring (seed, index)
 * pairs give unrelated streams. High words are folded in too, so seeds above 2^32 still differ.
 */
export function hashSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (const word of [part | 0, Math.floor(part / 4294967296) | 0]) {
      h = Math.imul(h ^ word, 0x01000193);
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
  }
  return h >>> 0;
}

/**
 * 4,096 standard normal samples built once from a fixed seed: per-pixel noise then costs a table
 * lookup instead of a Box-Muller transform; the table is small enough to stay in L1 cache.
 */
export const GAUSS: Float32Array = (() => {
  const rng = new Rng(0x5eed);
  const table = new Float32Array(1 << 12);
  for (let i = 0; i < table.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const angle = 2 * Math.PI * rng.next();
    table[i] = radius * Math.cos(angle);
    table[i + 1] = radius * Math.sin(angle);
  }
  return table;
})();

/** Smooth random field on [-1, 1]^2 (value noise, C1 interpolation) with values in [-1, 1]. */
export class ValueNoise {
  private readonly lattice: Float32Array;

  constructor(rng: Rng, private readonly cells: number) {
    this.lattice = new Float32Array((cells + 1) * (cells + 1));
    for (let i = 0; i < this.lattice.length; i++) this.lattice[i] = rng.next() * 2 - 1;
  }

  at(x: number, y: number): number {
    const n = this.cells;
    const gx = Math.min(Math.max((x + 1) * 0.5 * n, 0), n - 1e-6);
    const gy = Math.min(Math.max((y + 1) * 0.5 * n, 0), n - 1e-6);
    const ix = gx | 0;
    const iy = gy | 0;
    let fx = gx - ix;
    let fy = gy - iy;
    // Smoothstep weights hide the lattice; linear weights would show a visible grid.
    fx = fx * fx * (3 - 2 * fx);
    fy = fy * fy * (3 - 2 * fy);
    const row = n + 1;
    const i = iy * row + ix;
    const top = this.lattice[i] + (this.lattice[i + 1] - this.lattice[i]) * fx;
    const bottom = this.lattice[i + row] + (this.lattice[i + row + 1] - this.lattice[i + row]) * fx;
    return top + (bottom - top) * fy;
  }
}

const ANGLE_BINS = 1024;

/**
 * A random periodic function of angle (sum of harmonics with random amplitude and phase),
 * tabulated so per-pixel evaluation is a lookup rather than several cosines.
 */
export class AngularProfile {
  private readonly table = new Float32Array(ANGLE_BINS);

  /** maxAmplitudes[i] bounds the amplitude of harmonic firstHarmonic + i. */
  constructor(rng: Rng, maxAmplitudes: readonly number[], firstHarmonic: number) {
    maxAmplitudes.forEach((maxAmp, i) => {
      const amp = maxAmp * rng.next();
      const phase = rng.range(0, 2 * Math.PI);
      // Rotate a phasor bin by bin instead of calling cos 1024 times per harmonic.
      const k = firstHarmonic + i;
      const stepCos = Math.cos((k * 2 * Math.PI) / ANGLE_BINS);
      const stepSin = Math.sin((k * 2 * Math.PI) / ANGLE_BINS);
      let re = amp * Math.cos(phase);
      let im = amp * Math.sin(phase);
      for (let b = 0; b < ANGLE_BINS; b++) {
        this.table[b] += re;
        const next = re * stepCos - im * stepSin;
        im = re * stepSin + im * stepCos;
        re = next;
      }
    });
  }

  /** theta in [-pi, pi], as returned by (fast)atan2. */
  at(theta: number): number {
    return this.table[(((theta + Math.PI) * (ANGLE_BINS / (2 * Math.PI))) | 0) & (ANGLE_BINS - 1)];
  }
}

/** Soft step: 0 for x << 0, 1 for x >> 0, linear over `width`; gives partial-volume-like edges. */
export function step(x: number, width: number): number {
  const t = x / width + 0.5;
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

/**
 * atan2 to within 1e-5 rad, several times faster than Math.atan2; angles only index 1024-bin
 * tables and sulcus phases here, so the error is invisible.
 */
export function fastAtan2(y: number, x: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  const ratio = ax > ay ? ay / ax : ax === 0 ? 0 : ax / ay;
  const r2 = ratio * ratio;
  let angle = ((-0.0464964749 * r2 + 0.15931422) * r2 - 0.327622764) * r2 * ratio + ratio;
  if (ay > ax) angle = Math.PI / 2 - angle;
  if (x < 0) angle = Math.PI - angle;
  return y < 0 ? -angle : angle;
}

/** Global intensity scale and gamma, tabulated because Math.pow per pixel is slow. */
export class ToneCurve {
  private static readonly MAX = 2;
  private readonly table = new Float32Array(257);

  constructor(gain: number, gamma: number) {
    for (let i = 0; i < this.table.length; i++) {
      this.table[i] = gain * Math.pow((i / (this.table.length - 1)) * ToneCurve.MAX, gamma);
    }
  }

  apply(value: number): number {
    if (value <= 0) return 0;
    const x = Math.min(value / ToneCurve.MAX, 1) * (this.table.length - 1);
    const i = Math.min(x | 0, this.table.length - 2);
    return this.table[i] + (this.table[i + 1] - this.table[i]) * (x - i);
  }
}
