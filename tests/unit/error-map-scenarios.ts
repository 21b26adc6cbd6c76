// Constructed reconstruction-error maps for checking the four anomaly techniques against paper
// section 5.2 (tests/unit/anomaly.test.ts), and, run directly, the figures of the README's
// "The techniques against the paper": `node --import tsx tests/unit/error-map-scenarios.ts`.
// Tumour maps carry a compact bright blob, healthy ones diffuse low error; the harder scenarios
// add what real maps have: a diffuse level that varies from scan to scan and a bright brain edge
// (the CVAE blurs it) in both classes. Splits are tumour-heavy like the paper's (4:1).
import { createRng } from '../../lib/rng';
import { balancedAccuracy } from '../../lib/stats/classification';
import { applyTechnique, evaluateApplied, searchOnValidation, TECHNIQUES, type Technique } from '../../workers/eval/anomaly';

export interface Scenario {
  /** Blob centres fall in the central `spread` of the image (0.1: nearly the same place). */
  spread: number;
  /** Each map's diffuse error is uniform in [0, level), level drawn per map in this range. */
  level: [number, number];
  /** Error added on a 2-pixel ring at the brain's edge (radius 30-42 % of the image), 0: none. */
  edge: number;
  /** Error added inside the blob, of radius 3-5 pixels. */
  blob: number;
}

export const SCENARIOS: Record<string, Scenario> = {
  'blobs in one place': { spread: 0.1, level: [0.1, 0.1], edge: 0, blob: 0.6 },
  'blobs anywhere': { spread: 0.6, level: [0.1, 0.1], edge: 0, blob: 0.6 },
  'blobs anywhere, varying level, brain edge': { spread: 0.6, level: [0.05, 0.3], edge: 0.4, blob: 0.6 },
  'the same, faint blobs': { spread: 0.6, level: [0.05, 0.3], edge: 0.4, blob: 0.25 },
};

export function scenarioMaps(healthy: number, tumour: number, size: number, seed: number, s: Scenario): { maps: Float32Array; labels: number[] } {
  const rng = createRng(seed);
  const labels = [...Array(healthy).fill(0), ...Array(tumour).fill(1)];
  const maps = new Float32Array(labels.length * size * size);
  labels.forEach((label, i) => {
    const level = s.level[0] + (s.level[1] - s.level[0]) * rng();
    const edge = size * (0.3 + 0.12 * rng());
    const [cy, cx, r] = [size * (0.5 + s.spread * (rng() - 0.5)), size * (0.5 + s.spread * (rng() - 0.5)), 3 + 2 * rng()];
    for (let p = 0; p < size * size; p++) {
      const [y, x] = [Math.floor(p / size), p % size];
      let e = level * rng();
      if (s.edge && Math.abs(Math.hypot(y - size / 2, x - size / 2) - edge) < 1) e += s.edge;
      if (label && (y - cy) ** 2 + (x - cx) ** 2 <= r * r) e += s.blob;
      maps[i * size * size + p] = Math.min(1, e);
    }
  });
  return { maps, labels };
}

/** Each technique chosen on a validation split (10 healthy, 40 tumour) and measured once on a
 * test split (15, 60) of 32x32 maps. */
export function checkTechniques(s: Scenario, seed: number): Record<Technique, { accuracy: number; balancedAccuracy: number; auroc: number }> {
  const val = scenarioMaps(10, 40, 32, 100 + seed, s);
  const test = scenarioMaps(15, 60, 32, 200 + seed, s);
  return Object.fromEntries(
    TECHNIQUES.map((t) => {
      const chosen = searchOnValidation(t, val.maps, val.labels, 32, { seed });
      const r = evaluateApplied(applyTechnique(t, chosen.params, chosen.fitted, test.maps, 32), test.labels);
      return [t, { accuracy: r.metrics.accuracy, balancedAccuracy: balancedAccuracy(r.metrics.confusion), auroc: r.auroc }];
    }),
  ) as ReturnType<typeof checkTechniques>;
}

if (process.argv[1]?.endsWith('error-map-scenarios.ts')) {
  const seeds = [0, 1, 2];
  console.log('| scenario | ' + TECHNIQUES.join(' | ') + ' |');
  for (const [name, s] of Object.entries(SCENARIOS)) {
    const runs = seeds.map((seed) => checkTechniques(s, seed));
    const cell = (t: Technique) => {
      const mean = (k: 'accuracy' | 'balancedAccuracy' | 'auroc') => runs.reduce((a, r) => a + r[t][k], 0) / runs.length;
      return `${(mean('accuracy') * 100).toFixed(1)} / ${(mean('balancedAccuracy') * 100).toFixed(1)} / ${mean('auroc').toFixed(2)}`;
    };
    console.log(`| ${name} | ${TECHNIQUES.map(cell).join(' | ')} |`);
  }
}
