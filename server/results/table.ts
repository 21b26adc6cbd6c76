// Aggregates result rows into comparison-table cells: mean and 95% confidence interval over
// seeds (Student's t), with the runs behind each cell, and a flag for chance-level accuracy.
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

export function balancedAccuracy(c: { tp: number; fp: number; tn: number; fn: number }): number {
  const sensitivity = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 0;
  const specificity = c.tn + c.fp ? c.tn / (c.tn + c.fp) : 0;
  return (sensitivity + specificity) / 2;
}

export function isChanceLevel(confusion: { tp: number; fp: number; tn: number; fn: number }): boolean {
  return balancedAccuracy(confusion) < CHANCE_BALANCED_ACCURACY;
}

export function summarizeCells(rows: ResultRow[]): TableCell[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = [row.model, row.technique, row.trainData, row.metric].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const cells: TableCell[] = [];
  for (const group of groups.values()) {
    const { model, technique, trainData, metric } = group[0];
    const stats = meanCi(group.map((r) => r.value));
    cells.push({
      model, technique, trainData, metric, ...stats,
      n: group.length,
      runIds: group.map((r) => r.runId),
      seeds: group.map((r) => r.seed),
      chanceLevel: false,
    });
  }
  // The flag sits on every cell of a row-column pair, judged by its mean balanced accuracy (or,
  // for rows stored before that metric existed, its mean accuracy).
  const key = (c: TableCell) => [c.model, c.technique, c.trainData].join('\u0000');
  const judge = new Map<string, number>();
  for (const c of cells) if (c.metric === 'accuracy' && !judge.has(key(c))) judge.set(key(c), c.mean);
  for (const c of cells) if (c.metric === 'balancedAccuracy') judge.set(key(c), c.mean);
  for (const c of cells) c.chanceLevel = (judge.get(key(c)) ?? 1) < CHANCE_BALANCED_ACCURACY;
  return cells.sort((a, b) => (a.model + a.technique + a.trainData + a.metric).localeCompare(b.model + b.technique + b.trainData + b.metric));
}
