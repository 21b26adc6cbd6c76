// A classifier's training images: the real training split, the synthetic dataset, or both mixed
// (the real split plus mixRatio x as many synthetic images, drawn at random with the run's seed).
// Validation and test never come from here: they are always the real dataset's.
import * as tf from '@tensorflow/tfjs';
import type { DatasetFiles } from './dataset-store';
import { capIndices, splitToTensors, type SplitTensors } from './tensors';

export interface TrainingSource {
  files: DatasetFiles;
  indices: number[];
}

export interface TrainingSet extends SplitTensors {
  counts: { real: number; synthetic: number };
}

export function trainingSet(kind: 'real' | 'synthetic' | 'mixed', real: TrainingSource, synthetic: TrainingSource | null, opts: { mixRatio: number; cap?: number; seed: number; imageSize: number }): TrainingSet {
  if (kind !== 'real' && !synthetic) throw new Error(`${kind} training data needs a synthetic dataset`);
  const realIdx = kind === 'synthetic' ? [] : capIndices(real.indices, opts.cap, opts.seed + 1);
  let synthIdx: number[] = [];
  if (kind === 'synthetic') synthIdx = capIndices(synthetic!.indices, opts.cap, opts.seed + 4);
  if (kind === 'mixed') synthIdx = capIndices(synthetic!.indices, Math.round(opts.mixRatio * realIdx.length), opts.seed + 4);
  if (realIdx.length + synthIdx.length === 0) throw new Error('no training images');
  const parts: SplitTensors[] = [];
  if (realIdx.length) parts.push(splitToTensors(real.files, realIdx, opts.imageSize));
  if (synthIdx.length) parts.push(splitToTensors(synthetic!.files, synthIdx, opts.imageSize));
  const counts = { real: realIdx.length, synthetic: synthIdx.length };
  if (parts.length === 1) return { ...parts[0], counts };
  const xs = tf.concat(parts.map((p) => p.xs)) as tf.Tensor4D;
  const ys = tf.concat(parts.map((p) => p.ys)) as tf.Tensor2D;
  const labels = new Uint8Array(counts.real + counts.synthetic);
  labels.set(parts[0].labels, 0);
  labels.set(parts[1].labels, parts[0].labels.length);
  tf.dispose(parts.flatMap((p) => [p.xs, p.ys]));
  return { xs, ys, labels, counts };
}
