// Deterministic, class-stratified train/validation/test splits (paper section 5.2: 70/20/10).
import { createRng, shuffleInPlace } from './rng';

export interface Split {
  seed: number;
  train: number[];
  val: number[];
  test: number[];
}

export function stratifiedSplit(labels: ArrayLike<number>, seed: number, fractions: [number, number, number] = [0.7, 0.2, 0.1]): Split {
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const split: Split = { seed, train: [], val: [], test: [] };
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const items = shuffleInPlace(byClass.get(cls)!, rng);
    const nTrain = Math.round(items.length * fractions[0]);
    const nVal = Math.round(items.length * fractions[1]);
    split.train.push(...items.slice(0, nTrain));
    split.val.push(...items.slice(nTrain, nTrain + nVal));
    split.test.push(...items.slice(nTrain + nVal));
  }
  for (const part of [split.train, split.val, split.test]) part.sort((a, b) => a - b);
  return split;
}
