// The quality of a generator while it trains: a small fixed-seed sample against the real
// VALIDATION images of its class (never training images, which the generator has seen and could
// copy, and never test), on the domain encoder's features, with the report's own measures (FID,
// KID, k-NN precision/recall, the mode-collapse rule, class fidelity). Features are standardised
// by the real validation images, so every measure of a run uses one fixed map and the curve is
// comparable from epoch to epoch.
//
// Cost on this 2-core VM (wasm), per measure: drawing and encoding the sample, then FID, KID and
// k-NN precision/recall on 56 features (O(n^2)) and the mode-collapse check on pixels. smoke (64
// images at 32 px): 0.7-0.8 s, against smoke epochs of a second or two; quick (128 at 64 px):
// 1.1-2.3 s, against 26 s GAN epochs on 490 images (55-74 s on the full demo split). The first run
// on a dataset and size also trains the domain encoder once (~25 s at 32 px, ~2 min at 64 px),
// which synthesis would train anyway; it is cached for both.
import type * as tf from '@tensorflow/tfjs';
import type { PresetName } from '../../lib/contracts/run-config';
import type { EpochQuality } from '../../lib/contracts/epoch-quality';
import { frechetDistance, kernelInceptionDistance } from './frechet';
import { manifoldPrecisionRecall } from './prd';
import { modeCollapseReport } from './memorization';
import { classShare, standardise } from './quality-report';
import { drawImages } from './images';
import type { DomainEncoder } from './domain-encoder';

/** Images per measure: the sample drawn and at most as many real validation images of the class
 * (FID's covariance over 56 features needs well over 56 of each to settle; paper runs afford more). */
export const QUALITY_SAMPLE: Record<PresetName, number> = { smoke: 64, quick: 128, paper: 200 };

/** The latents' seed: fixed per run, apart from the synthesis seeds, so every epoch draws from the
 * same latent vectors and the curve shows the generator changing, not the sample. */
export const qualitySeed = (runSeed: number) => runSeed + 7_000_003;

/** Whether epoch `epoch` is measured: every `every` epochs and always the last one. */
export function isQualityEpoch(epoch: number, every: number | undefined, lastEpoch: number): boolean {
  if (!every) return false;
  return epoch % every === 0 || epoch === lastEpoch;
}

export interface ValidationReference {
  imageClass: 'tumor' | 'healthy';
  images: Uint8Array[];
  features: Float64Array[];
  /** The share of these real images the encoder calls their class: class fidelity's ceiling. */
  classShare: number;
}

/** Encodes the real validation images of the class once per run. */
export async function validationReference(encoder: DomainEncoder, images: Uint8Array[], imageClass: 'tumor' | 'healthy'): Promise<ValidationReference> {
  if (images.length < 2) throw new Error(`quality on validation needs at least 2 real validation images of the class, the dataset has ${images.length}`);
  const { features, predicted } = await encoder.encode(images);
  return { imageClass, images, features, classShare: classShare(predicted, imageClass) };
}

export async function measureEpochQuality(opts: {
  generator: tf.LayersModel;
  latentDim: number;
  size: number;
  samples: number;
  seed: number;
  encoder: DomainEncoder;
  reference: ValidationReference;
  epoch: number;
  step: number;
  shouldStop: () => boolean;
}): Promise<EpochQuality> {
  const synthetic = await drawImages(opts.generator, opts.latentDim, opts.samples, opts.size, opts.seed, opts.shouldStop, () => undefined);
  const { features, predicted } = await opts.encoder.encode(synthetic);
  const [real, fake] = standardise(opts.reference.features, [opts.reference.features, features]);
  const { precision, recall } = manifoldPrecisionRecall(real, fake, 3);
  return {
    epoch: opts.epoch,
    step: opts.step,
    fid: frechetDistance(real, fake),
    kid: kernelInceptionDistance(real, fake, { seed: opts.seed }).mean,
    precision,
    recall,
    modeCollapseLikely: modeCollapseReport(synthetic, opts.reference.images).likely,
    classFidelity: { synthetic: classShare(predicted, opts.reference.imageClass), realVal: opts.reference.classShare },
    samples: synthetic.length,
    realVal: opts.reference.images.length,
  };
}
