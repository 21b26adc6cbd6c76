// Aggregates result rows into comparison-table cells: mean and 95% confidence interval over
// seeds (percentile bootstrap of the mean), the runs behind each cell, a flag for chance-level
// performance, and a significance mark against the real-data baseline of the same row (paired
// t-test over the seeds both columns share, Holm-corrected over all comparisons of a metric).
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { createRng } from '../rng';
import { balancedAccuracy } from './classification';
export interface ResultRow {
  runId: string;
  datasetId: string;
  model: string;
  technique: string;
  trainData: string;
  seed: number;
  metric: string;
  value: number;
}

export interface TableCell {
  model: string;
  technique: string;
  trainData: string;
  metric: string;
  mean: number;
  ciLow: number | null;
  ciHigh: number | null;
  n: number;
  runIds: string[];
  seeds: number[];
  chanceLevel: boolean;
  /** Against the `real` column of the same row and metric; null for the baseline itself or with
   * fewer than two shared seeds. */
  vsReal: { meanDifference: number; n: number; p: number; pHolm: number; significant: boolean } | null;
  /** The cell's runs whose best validation epoch was the last one trained (they may not have
   * converged); absent when there are none. */
  notConverged?: string[];
}

export const BOOTSTRAP_RESAMPLES = 2000;

/** Percentile bootstrap 95% interval of the mean (seeded, so a table is reproducible). With one
 * value there is no interval; with two or three it is as wide as the values allow, and says so by
 * its width: few seeds cannot give a tight interval. */
export function bootstrapCi(values: number[], seed = 0, resamples = BOOTSTRAP_RESAMPLES): { mean: number; ciLow: number | null; ciHigh: number | null } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ciLow: null, ciHigh: null };
  const rand = createRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(rand() * n)];
    means[b] = sum / n;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return { mean, ciLow: at(0.025), ciHigh: at(0.975) };
}

/** Two-sided paired t-test p-value of differences (H0: mean difference 0). */
export function pairedTTest(differences: number[]): number {
  const n = differences.length;
  if (n < 2) return NaN;
  const mean = differences.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(differences.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1));
  if (sd === 0) return mean === 0 ? 1 : 0;
  const t = mean / (sd / Math.sqrt(n));
  return 2 * (1 - tCdf(Math.abs(t), n - 1));
}

/** Holm's step-down adjustment: adjusted p-values in the input order (monotone, capped at 1). */
export function holm(pValues: number[]): number[] {
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

// Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function meanCi(values: number[]): { mean: number; ciLow: number | null; ciHigh: number | null } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ciLow: null, ciHigh: null };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = (T95[Math.min(n - 1, T95.length) - 1] ?? 1.96) * Math.sqrt(variance / n);
  return { mean, ciLow: mean - half, ciHigh: mean + half };
}

/** Balanced accuracy (mean of sensitivity and specificity) below 55% is chance level or worse,
 * whatever the class balance of the test set: a classifier that calls everything tumour scores
 * 50% here even where tumours are 80% of the test images. Flagged, not just shown. */
export const CHANCE_BALANCED_ACCURACY = 0.55;

export { balancedAccuracy };

export function isChanceLevel(confusion: { tp: number; fp: number; tn: number; fn: number }): boolean {
  return balancedAccuracy(confusion) < CHANCE_BALANCED_ACCURACY;
}

/** `unconverged`: ids of runs whose best epoch was their last (from the runs' summaries). */
export function summarizeCells(rows: ResultRow[], unconverged: ReadonlySet<string> = new Set()): TableCell[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = [row.model, row.technique, row.trainData, row.metric].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const cells: TableCell[] = [];
  for (const group of groups.values()) {
    const { model, technique, trainData, metric } = group[0];
    const stats = bootstrapCi(group.map((r) => r.value));
    const notConverged = group.map((r) => r.runId).filter((id) => unconverged.has(id));
    cells.push({
      model, technique, trainData, metric, ...stats,
      n: group.length,
      runIds: group.map((r) => r.runId),
      seeds: group.map((r) => r.seed),
      chanceLevel: false,
      vsReal: null,
      ...(notConverged.length ? { notConverged } : {}),
    });
  }
  markSignificance(cells, rows);
  // The flag sits on every cell of a row-column pair, judged by its mean balanced accuracy (or,
  // for rows stored before that metric existed, its mean accuracy).
  const key = (c: TableCell) => [c.model, c.technique, c.trainData].join('\u0000');
  const judge = new Map<string, number>();
  for (const c of cells) if (c.metric === 'accuracy' && !judge.has(key(c))) judge.set(key(c), c.mean);
  for (const c of cells) if (c.metric === 'balancedAccuracy') judge.set(key(c), c.mean);
  for (const c of cells) c.chanceLevel = (judge.get(key(c)) ?? 1) < CHANCE_BALANCED_ACCURACY;
  return cells.sort((a, b) => (a.model + a.technique + a.trainData + a.metric).localeCompare(b.model + b.technique + b.trainData + b.metric));
}

const rowKey = (r: { model: string; technique: string; metric: string }) => [r.model, r.technique, r.metric].join('\u0000');

/** Paired by seed against the same row's `real` cell; Holm over every comparison of a metric. */
function markSignificance(cells: TableCell[], rows: ResultRow[]): void {
  const bySeed = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const k = [rowKey(r), r.trainData].join('\u0000');
    const m = bySeed.get(k) ?? new Map<number, number>();
    m.set(r.seed, r.value);
    bySeed.set(k, m);
  }
  const tests: { cell: TableCell; meanDifference: number; n: number; p: number }[] = [];
  for (const cell of cells) {
    if (cell.trainData === 'real') continue;
    const base = bySeed.get([rowKey(cell), 'real'].join('\u0000'));
    const mine = bySeed.get([rowKey(cell), cell.trainData].join('\u0000'));
    if (!base || !mine) continue;
    const diffs = [...mine.entries()].filter(([seed]) => base.has(seed)).map(([seed, v]) => v - base.get(seed)!);
    if (diffs.length < 2) continue;
    tests.push({ cell, meanDifference: diffs.reduce((a, b) => a + b, 0) / diffs.length, n: diffs.length, p: pairedTTest(diffs) });
  }
  for (const metric of new Set(tests.map((t) => t.cell.metric))) {
    const group = tests.filter((t) => t.cell.metric === metric);
    const adjusted = holm(group.map((t) => t.p));
    group.forEach((t, i) => {
      t.cell.vsReal = { meanDifference: t.meanDifference, n: t.n, p: t.p, pHolm: adjusted[i], significant: adjusted[i] < 0.05 };
    });
  }
}

/** Table columns in the paper's order (real, then synthetic and mixed by generator, then the
 * mix-ratio sweep); labels not known here follow, sorted. */
export const COLUMN_ORDER = ['real', 'synthetic-vae', 'synthetic-gan', 'synthetic-gan+vae', 'synthetic', 'mixed-vae', 'mixed-gan', 'mixed-gan+vae', 'mixed'];
export function orderColumns(labels: Iterable<string>): string[] {
  const rank = (c: string) => {
    const i = COLUMN_ORDER.indexOf(c);
    return i >= 0 ? i : COLUMN_ORDER.length;
  };
  return [...new Set(labels)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
