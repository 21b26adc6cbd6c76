// The quality and privacy report of one class of a synthetic dataset, against the real images of
// that class: realism and diversity on domain-encoder features (FID, KID, k-NN precision/recall),
// MS-SSIM within each set, class fidelity (how often the real-trained encoder calls the images
// their class), memorisation in pixel space (synthetic -> closest real training image against
// real held-out -> closest real training image) and a mode-collapse check.
import { frechetDistance, kernelInceptionDistance } from './frechet';
import { manifoldPrecisionRecall } from './prd';
import { meanPairwiseMsSsim } from './ms-ssim';
import { memorizationReport, modeCollapseReport } from './memorization';
import type { ClassQuality } from '../../lib/contracts/quality';
import { CLASS_FIDELITY_GAP } from '../../lib/contracts/epoch-quality';

export interface QualityInputs {
  imageClass: 'tumor' | 'healthy';
  size: number;
  synthetic: Uint8Array[];
  realTrain: Uint8Array[];
  realHeldOut: Uint8Array[];
  features: { synthetic: Float64Array[]; realTrain: Float64Array[]; realHeldOut: Float64Array[] };
  /** The class the domain encoder assigns to each image (1 tumour, 0 healthy). */
  predicted: { synthetic: number[]; realHeldOut: number[] };
  seed: number;
}

/** The share of images the encoder predicted as `imageClass` (NaN for none): class fidelity. */
export function classShare(predicted: number[], imageClass: 'tumor' | 'healthy'): number {
  const label = imageClass === 'tumor' ? 1 : 0;
  return predicted.length ? predicted.filter((p) => p === label).length / predicted.length : Number.NaN;
}

/** Standardises every feature by the real training images' mean and spread, so that no feature
 * dominates the distances by its scale (a fixed affine map per report: FID is comparable between
 * sets measured against the same real images). */
export function standardise(reference: Float64Array[], sets: Float64Array[][]): Float64Array[][] {
  const d = reference[0].length;
  const mu = new Float64Array(d), sd = new Float64Array(d);
  for (const r of reference) for (let j = 0; j < d; j++) mu[j] += r[j] / reference.length;
  for (const r of reference) for (let j = 0; j < d; j++) sd[j] += (r[j] - mu[j]) ** 2 / reference.length;
  const scale = Float64Array.from(sd, (v) => 1 / Math.sqrt(v + 1e-12));
  return sets.map((set) => set.map((r) => Float64Array.from(r, (v, j) => (v - mu[j]) * scale[j])));
}

/** One class's report; a new report always carries its class fidelity. */
export function classQuality(input: QualityInputs): ClassQuality & Required<Pick<ClassQuality, 'classFidelity'>> {
  const { size, seed } = input;
  const [realTrain, realHeldOut, synthetic] = standardise(input.features.realTrain, [input.features.realTrain, input.features.realHeldOut, input.features.synthetic]);
  const f = { realTrain, realHeldOut, synthetic };
  const fid = frechetDistance(f.realTrain, f.synthetic);
  const fidRealBaseline = frechetDistance(f.realTrain, f.realHeldOut);
  const kid = kernelInceptionDistance(f.realTrain, f.synthetic, { seed });
  const kidRealBaseline = kernelInceptionDistance(f.realTrain, f.realHeldOut, { seed });
  const { precision, recall } = manifoldPrecisionRecall(f.realTrain, f.synthetic, 3);
  const msSsim = {
    synthetic: meanPairwiseMsSsim(input.synthetic, size, { pairs: 150, seed }),
    real: meanPairwiseMsSsim(input.realTrain, size, { pairs: 150, seed }),
  };
  const memorization = memorizationReport(input.synthetic, input.realTrain, input.realHeldOut, { closestPairs: 8 });
  const modeCollapse = modeCollapseReport(input.synthetic, input.realTrain);
  const warnings: string[] = [];
  if (memorization.copyingLikely) {
    warnings.push(`Copying likely: synthetic images sit ${memorization.memorizationRatio.toFixed(2)}x as far from their closest training image as real held-out images do, and ${(memorization.nearCopyShare * 100).toFixed(1)}% are near-exact copies.`);
  }
  if (modeCollapse.likely) {
    warnings.push(`Low diversity (mode collapse, or the blurred averages a VAE makes): the synthetic images spread ${modeCollapse.realSpread ? `${(modeCollapse.syntheticSpread / modeCollapse.realSpread).toFixed(2)}x as much as the real ones` : 'very little'} in pixel space and ${(modeCollapse.duplicateShare * 100).toFixed(0)}% have a near-duplicate among themselves.`);
  }
  if (precision < 0.1) warnings.push(`Few synthetic images look real to the encoder (precision ${(precision * 100).toFixed(0)}%).`);
  const classFidelity = { synthetic: classShare(input.predicted.synthetic, input.imageClass), realHeldOut: classShare(input.predicted.realHeldOut, input.imageClass) };
  if (classFidelity.synthetic < classFidelity.realHeldOut - CLASS_FIDELITY_GAP) {
    warnings.push(`The encoder, trained on real images, calls only ${(classFidelity.synthetic * 100).toFixed(0)}% of these synthetic images ${input.imageClass} (${(classFidelity.realHeldOut * 100).toFixed(0)}% of real held-out ones): many may lack what makes the class, and a classifier trained on them can learn the generators apart instead.`);
  }
  return {
    imageClass: input.imageClass,
    counts: { synthetic: input.synthetic.length, realTrain: input.realTrain.length, realHeldOut: input.realHeldOut.length },
    fid, fidRealBaseline, kid, kidRealBaseline, precision, recall, msSsim, classFidelity, memorization, modeCollapse, warnings,
  };
}
