// Threshold-free metrics from continuous scores (higher = more tumour, label 1 = tumour): ROC and
// precision-recall curves, their areas, sensitivity at a fixed specificity, and a downsampler
// that keeps a curve's shape in at most ~200 points for storage. Pure functions; an example is
// predicted positive when score >= threshold, as in scikit-learn.

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** thresholds[0] is +Infinity (the (0, 0) point); the last is the lowest score ((1, 1)). */
  thresholds: number[];
}

export interface PrCurve {
  /** Increasing, from 0 (threshold +Infinity, precision 1 by convention, as scikit-learn). */
  recall: number[];
  precision: number[];
  thresholds: number[];
}

export interface OperatingPoint {
  sensitivity: number;
  specificity: number;
  threshold: number;
}

interface Counts {
  /** Cumulative true and false positives at each distinct score, from the highest down. */
  tp: number[];
  fp: number[];
  thresholds: number[];
  positives: number;
  negatives: number;
}

function cumulativeCounts(scores: ArrayLike<number>, labels: ArrayLike<number>, what: string): Counts {
  if (scores.length !== labels.length) throw new Error(`${what}: ${scores.length} scores but ${labels.length} labels`);
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (const i of order) {
    if (Number.isNaN(scores[i])) throw new Error(`${what}: score ${i} is NaN`);
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`${what}: label ${i} is ${labels[i]}, expected 0 (healthy) or 1 (tumour)`);
  }
  order.sort((a, b) => scores[b] - scores[a]);
  const c: Counts = { tp: [], fp: [], thresholds: [], positives: 0, negatives: 0 };
  let tp = 0;
  let fp = 0;
  order.forEach((i, rank) => {
    if (labels[i] === 1) tp++;
    else fp++;
    // Tied scores form one point: a threshold cannot separate them.
    if (rank === order.length - 1 || scores[order[rank + 1]] !== scores[i]) {
      c.tp.push(tp);
      c.fp.push(fp);
      c.thresholds.push(scores[i]);
    }
  });
  c.positives = tp;
  c.negatives = fp;
  if (tp === 0 || fp === 0) {
    throw new Error(`${what} needs both classes: got ${tp} tumour and ${fp} healthy examples`);
  }
  return c;
}

export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  const c = cumulativeCounts(scores, labels, 'ROC curve');
  return {
    fpr: [0, ...c.fp.map((f) => f / c.negatives)],
    tpr: [0, ...c.tp.map((t) => t / c.positives)],
    thresholds: [Infinity, ...c.thresholds],
  };
}

/** Trapezoidal area under the ROC curve: equal to the Mann-Whitney U / (n+ n-), ties counting 1/2. */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(scores, labels);
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  return area;
}

export function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): PrCurve {
  const c = cumulativeCounts(scores, labels, 'PR curve');
  return {
    recall: [0, ...c.tp.map((t) => t / c.positives)],
    precision: [1, ...c.tp.map((t, i) => t / (t + c.fp[i]))],
    thresholds: [Infinity, ...c.thresholds],
  };
}

/** Average precision, scikit-learn's definition: sum over thresholds of (R_n - R_{n-1}) * P_n. */
export function auprc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { recall, precision } = prCurve(scores, labels);
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i] - recall[i - 1]) * precision[i];
  return ap;
}

/**
 * Highest sensitivity among thresholds whose specificity is at least `specificity`, with that
 * threshold; the strictest threshold (+Infinity, sensitivity 0) when no score reaches it.
 */
export function sensitivityAtSpecificity(scores: ArrayLike<number>, labels: ArrayLike<number>, specificity: number): OperatingPoint {
  if (!(specificity >= 0 && specificity <= 1)) throw new Error(`sensitivityAtSpecificity: specificity must be in [0, 1], got ${specificity}`);
  const c = cumulativeCounts(scores, labels, 'sensitivity at specificity');
  // Start at the strictest threshold (+Infinity): nothing predicted tumour, specificity 1.
  let best = { sensitivity: 0, specificity: 1, threshold: Infinity };
  c.thresholds.forEach((threshold, i) => {
    const point = { sensitivity: c.tp[i] / c.positives, specificity: (c.negatives - c.fp[i]) / c.negatives, threshold };
    // Small tolerance: 0.95 is not exactly 19/20 in floating point.
    if (point.specificity >= specificity - 1e-12 && point.sensitivity > best.sensitivity) best = point;
  });
  return best;
}

/**
 * Indices of at most `maxPoints` points of a polyline (x, y) that keep its shape: the first and
 * last points, and the first point past each of maxPoints - 2 equal steps of arc length. Every
 * kept point is a point of the curve, so a stored curve never shows a value it did not reach.
 */
export function downsampleIndices(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints = 200): number[] {
  if (maxPoints < 2) throw new Error(`downsampleIndices: maxPoints must be at least 2, got ${maxPoints}`);
  const n = x.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const arc = new Float64Array(n);
  for (let i = 1; i < n; i++) arc[i] = arc[i - 1] + Math.hypot(x[i] - x[i - 1], y[i] - y[i - 1]);
  const step = arc[n - 1] / (maxPoints - 1);
  const kept = [0];
  for (let i = 1; i < n - 1; i++) {
    if (kept.length < maxPoints - 1 && arc[i] >= kept.length * step) kept.push(i);
  }
  kept.push(n - 1);
  return kept;
}

export function downsampleRoc(curve: RocCurve, maxPoints = 200): RocCurve {
  const keep = downsampleIndices(curve.fpr, curve.tpr, maxPoints);
  return { fpr: keep.map((i) => curve.fpr[i]), tpr: keep.map((i) => curve.tpr[i]), thresholds: keep.map((i) => curve.thresholds[i]) };
}

export function downsamplePr(curve: PrCurve, maxPoints = 200): PrCurve {
  const keep = downsampleIndices(curve.recall, curve.precision, maxPoints);
  return { recall: keep.map((i) => curve.recall[i]), precision: keep.map((i) => curve.precision[i]), thresholds: keep.map((i) => curve.thresholds[i]) };
}

/** Everything a run stores about its test scores: the areas, sensitivity at 95% specificity, and
 * both curves in at most 200 points each (thresholds left out: +Infinity is not JSON). */
export function scoreSummary(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const roc = downsampleRoc(rocCurve(scores, labels));
  const pr = downsamplePr(prCurve(scores, labels));
  return {
    auroc: auroc(scores, labels),
    auprc: auprc(scores, labels),
    sensitivityAt95: sensitivityAtSpecificity(scores, labels, 0.95).sensitivity,
    roc: { fpr: roc.fpr, tpr: roc.tpr },
    pr: { recall: pr.recall, precision: pr.precision },
  };
}
