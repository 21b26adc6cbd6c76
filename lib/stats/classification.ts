// Binary classification metrics with tumour as the positive class (label 1). Pure functions.
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface BinaryMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: Confusion;
}

export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>): Confusion {
  if (truth.length !== predicted.length) throw new Error(`confusionMatrix: ${truth.length} labels but ${predicted.length} predictions`);
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] === 1;
    const p = predicted[i] === 1;
    if (t && p) c.tp++;
    else if (!t && p) c.fp++;
    else if (!t && !p) c.tn++;
    else c.fn++;
  }
  return c;
}

/** Precision with no positive prediction, recall with no positive label, and F1 when both are
 * zero are reported as 0 (sklearn's zero_division=0), never NaN. */
export function binaryMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): BinaryMetrics {
  const confusion = confusionMatrix(truth, predicted);
  const { tp, fp, tn, fn } = confusion;
  const total = tp + fp + tn + fn;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { accuracy: total === 0 ? 0 : (tp + tn) / total, precision, recall, f1, confusion };
}

/** Mean of sensitivity and specificity: 0.5 for any constant rule, whatever the class balance. */
export function balancedAccuracy(c: Confusion): number {
  const sensitivity = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 0;
  const specificity = c.tn + c.fp ? c.tn / (c.tn + c.fp) : 0;
  return (sensitivity + specificity) / 2;
}
