// The quality and privacy report of a synthetic dataset, as stored beside it (quality.json) and
// shown by the browser: per-class realism, diversity and memorisation figures, and the domain
// encoder whose features they were measured on. Written by the synthesis job, read by the server.
import type { QualityHeadline } from './events';

export interface EncoderInfo {
  kind: 'braincnn-pooled-conv';
  datasetId: string;
  imageSize: number;
  width: number;
  epochs: number;
  seed: number;
  trainImages: number;
  featureDim: number;
  valAccuracy: number;
  trainedAt: number;
  /** Folder relative to DATA_DIR/encoders. */
  key: string;
}

export interface MemorizationReport {
  syntheticToTrain: { median: number; p5: number };
  heldOutToTrain: { median: number; p5: number };
  /** median(synthetic->train) / median(held-out->train): ~1 when independent, well below 1 when copying. */
  memorizationRatio: number;
  nearCopyShare: number;
  copyingLikely: boolean;
  closest: { syntheticIndex: number; trainIndex: number; distance: number }[];
}

export interface ModeCollapseReport {
  likely: boolean;
  syntheticSpread: number;
  realSpread: number | null;
  /** Share of synthetic images whose nearest other synthetic image is within 0.1 x syntheticSpread. */
  duplicateShare: number;
}

export interface ClassQuality {
  imageClass: 'tumor' | 'healthy';
  counts: { synthetic: number; realTrain: number; realHeldOut: number };
  fid: number;
  /** FID of real held-out images against the same training images: the floor to read FID by. */
  fidRealBaseline: number;
  kid: { mean: number; std: number };
  kidRealBaseline: { mean: number; std: number };
  precision: number;
  recall: number;
  /** Mean pairwise MS-SSIM within the set (higher = less diverse), synthetic and real. */
  msSsim: { synthetic: number; real: number };
  /** Class fidelity: the share of images the domain encoder (a BrainCNN trained on the real
   * training split) assigns to this class, synthetic and real held-out (its own accuracy on the
   * class, the ceiling). Absent in reports from before it was measured. */
  classFidelity?: { synthetic: number; realHeldOut: number };
  memorization: MemorizationReport;
  modeCollapse: ModeCollapseReport;
  warnings: string[];
}

export interface QualityFile {
  encoder: EncoderInfo;
  classes: ClassQuality[];
  headline: QualityHeadline;
  evalCap: number;
}
