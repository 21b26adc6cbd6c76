// The names of every metric a run streams: workers emit them, the database stores them, the run
// page draws them. One constant each, so a renamed metric is a type error, not an empty chart.
import { z } from 'zod';

export const METRICS = {
  /** BrainCNN, per step (train) and per epoch on the real validation split (val). */
  trainLoss: 'train/loss',
  trainAccuracy: 'train/accuracy',
  valLoss: 'val/loss',
  valAccuracy: 'val/accuracy',
  /** BrainCVAE: per-image ELBO terms per step, and the mean |x - x̂| of each validation class per epoch. */
  cvaeReconstruction: 'cvae/reconstruction',
  cvaeKl: 'cvae/kl',
  cvaeTotal: 'cvae/total',
  valErrorHealthy: 'val/error_healthy',
  valErrorTumor: 'val/error_tumor',
  /** Generator VAE: per-image ELBO terms per step. */
  vaeReconstruction: 'vae/reconstruction',
  vaeKl: 'vae/kl',
  vaeTotal: 'vae/total',
  /** GAN: both losses and the discriminator's mean output on real and generated images per step. */
  ganDLoss: 'gan/d_loss',
  ganGLoss: 'gan/g_loss',
  ganDReal: 'gan/d_real',
  ganDFake: 'gan/d_fake',
  /** A synthesis run training its domain encoder (a BrainCNN): the same four curves, renamed. */
  encoderTrainLoss: 'encoder/train_loss',
  encoderTrainAccuracy: 'encoder/train_accuracy',
  encoderValLoss: 'encoder/val_loss',
  encoderValAccuracy: 'encoder/val_accuracy',
  /** Generators, every `qualityEvery` epochs at the epoch's last step: a fixed-seed sample against
   * the real validation images of the run's class, on the domain encoder's features. */
  qualityFid: 'quality/fid',
  qualityKid: 'quality/kid',
  qualityPrecision: 'quality/precision',
  qualityRecall: 'quality/recall',
  /** The share of the sample the encoder calls the run's class, and of the real validation images. */
  qualityClassFidelity: 'quality/class_fidelity',
  qualityClassFidelityReal: 'quality/class_fidelity_real',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];
export const metricNames = Object.values(METRICS) as [MetricName, ...MetricName[]];
export const metricNameSchema = z.enum(metricNames);

/** What a BrainCNN curve is called when the BrainCNN is a synthesis run's domain encoder. */
export const ENCODER_METRIC: Partial<Record<MetricName, MetricName>> = {
  [METRICS.trainLoss]: METRICS.encoderTrainLoss,
  [METRICS.trainAccuracy]: METRICS.encoderTrainAccuracy,
  [METRICS.valLoss]: METRICS.encoderValLoss,
  [METRICS.valAccuracy]: METRICS.encoderValAccuracy,
};
