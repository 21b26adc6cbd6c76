// Deterministic, class-stratified splits: the classifier's train/validation/test (paper section
// 5.2: 70/20/10) and the anomaly detector's healthy-only training split. Optional near-duplicate
// groups (./dedupe) keep every copy of a scan on one side, so augmented twins cannot leak.
import { createRng, shuffleInPlace } from '../../lib/rng';

export interface Split {
  seed: number;
  train: number[];
  val: number[];
  test: number[];
}

/** Label of images without a ground truth (e.g. Br35H's `pred/` folder): never put in a split. */
export const UNLABELLED = 255;
export const HEALTHY = 0;
export const TUMOUR = 1;

type Fractions = [number, number, number];

/** Groups of labelled images, in order of their first image; without `groups` every image is its own. */
function collectGroups(labels: ArrayLike<number>, groups?: ArrayLike<number>): number[][] {
  if (groups && groups.length !== labels.length) throw new RangeError(`groups has ${groups.length} entries for ${labels.length} labels`);
  const byId = new Map<number, number[]>();
  const out: number[][] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === UNLABELLED) continue;
    const id = groups ? groups[i] : i;
    let members = byId.get(id);
    if (!members) byId.set(id, (members = [])), out.push(members);
    members.push(i);
  }
  return out;
}

/** Most frequent label in the group; a tie goes to the smaller label, so the result never depends on order. */
function majorityLabel(members: number[], labels: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (const i of members) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  let best = -1, bestCount = 0;
  for (const [label, count] of counts) if (count > bestCount || (count === bestCount && label < best)) [best, bestCount] = [label, count];
  return best;
}

/**
 * Per class (ascending), shuffles that class's groups with one seeded stream and fills train, then
 * val, then test up to image-count targets. A group goes to the first part that still has room
 * for at least half of it, so parts overshoot by at most half a group. With singleton groups this
 * is exactly the original per-image split, so existing seeds keep their splits.
 */
function splitGroups(groups: number[][], classOf: (members: number[]) => number, fractionsFor: (cls: number) => Fractions, seed: number): Split {
  const rng = createRng(seed);
  const byClass = new Map<number, number[][]>();
  for (const members of groups) {
    const cls = classOf(members);
    const list = byClass.get(cls) ?? [];
    list.push(members);
    byClass.set(cls, list);
  }
  const split: Split = { seed, train: [], val: [], test: [] };
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const items = shuffleInPlace(byClass.get(cls)!, rng);
    const fractions = fractionsFor(cls);
    const total = items.reduce((n, g) => n + g.length, 0);
    const nTrain = Math.round(total * fractions[0]);
    const nVal = Math.round(total * fractions[1]);
    let inTrain = 0, inVal = 0;
    for (const members of items) {
      const half = members.length / 2;
      if (inTrain + half <= nTrain) {
        split.train.push(...members);
        inTrain += members.length;
      } else if (inVal + half <= nVal) {
        split.val.push(...members);
        inVal += members.length;
      } else {
        split.test.push(...members);
      }
    }
  }
  for (const part of [split.train, split.val, split.test]) part.sort((a, b) => a - b);
  return split;
}

/**
 * Classifier split, stratified by class. With `groups` (one id per image, e.g. `groupOf` from
 * groupNearDuplicates) whole groups are assigned; a group's class is its majority label.
 * Unlabelled images (UNLABELLED) are left out.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  seed: number,
  fractions: Fractions = [0.7, 0.2, 0.1],
  groups?: ArrayLike<number>,
): Split {
  return splitGroups(collectGroups(labels, groups), (members) => majorityLabel(members, labels), () => fractions, seed);
}

/**
 * Anomaly-detector split (paper section 5.2): trains on 75% of the healthy images only; the other
 * 25% of healthy images and every tumour image are shared 50/50 between validation and test, which
 * stay real and mixed. A group with any tumour image counts as tumour, so training never sees one.
 */
export function anomalySplit(labels: ArrayLike<number>, seed: number, groups?: ArrayLike<number>): Split {
  const classOf = (members: number[]) => (members.every((i) => labels[i] === HEALTHY) ? HEALTHY : TUMOUR);
  return splitGroups(collectGroups(labels, groups), classOf, (cls): Fractions => (cls === HEALTHY ? [0.75, 0.125, 0.125] : [0, 0.5, 0.5]), seed);
}
