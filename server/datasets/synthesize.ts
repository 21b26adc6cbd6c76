// Synthetic datasets: planning a synthesis run from generator runs (checked here, at the
// boundary), and registering the dataset the run staged once it completes. The staged folder
// becomes a dataset version only through registerSynthetic, so a failed or cancelled synthesis
// leaves no half-written dataset.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { getRun, listRuns } from '../../db/queries/runs';
import { getDataset, insertDataset, type DatasetRow } from '../../db/queries/datasets';
import { uniqueName } from './import';
import { generatorConfigSchema, idSchema, revisionOf, synthConfigSchema, type SynthConfig } from '../../lib/contracts/run-config';
import type { SyntheticSummary } from '../../lib/contracts/events';
import { checkpointDirName, listCheckpoints, readCheckpointMeta } from '../../workers/models/checkpoint';
import { bestQualityEpoch, checkpointQualityMetaSchema, checkpointReason, type EpochQuality } from '../../lib/contracts/epoch-quality';
import { datasetFilesHash, readDatasetFiles } from '../../workers/data/dataset-store';

export const synthesizeInputSchema = z.object({
  generators: z
    .array(z.object({ runId: idSchema, epoch: z.number().int().min(1).optional() }))
    .min(1, 'choose at least one generator run')
    .max(2, 'at most two generator runs (one per class)'),
  perClass: z.number().int().min(8).max(20_000).default(1500),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  name: z.string().trim().min(1).max(80).regex(/^[\w.-]+$/, 'letters, digits, dot, dash and underscore only').optional(),
});
export type SynthesizeInput = z.input<typeof synthesizeInputSchema>;

export class SynthesisError extends Error {}

export const checkpointRoot = (dataDir: string, runId: string) => path.join(dataDir, 'artifacts', runId, 'checkpoints');
export const stagingDir = (dataDir: string, runId: string) => path.join(dataDir, 'tmp', `synth-${runId}`);

export interface CheckpointChoice {
  epoch: number;
  by: 'best-fid' | 'latest' | 'chosen';
  fid?: number;
  classFidelity?: EpochQuality['classFidelity'];
  reason: string;
}

/** A generator run's kept checkpoints, its quality curve on validation (read from the checkpoints'
 * meta.json, never re-measured) and the checkpoint synthesis takes by default: the best by the
 * rule in lib/contracts/epoch-quality.ts, or the latest when no epoch was measured (runs from
 * before quality was measured). */
export function generatorCheckpoints(dataDir: string, runId: string): { kept: number[]; curve: EpochQuality[]; default: CheckpointChoice | null } {
  const root = checkpointRoot(dataDir, runId);
  const kept = listCheckpoints(root);
  const byEpoch = new Map<number, EpochQuality>();
  for (const epoch of kept) {
    const parsed = checkpointQualityMetaSchema.safeParse(readCheckpointMeta(root, epoch));
    if (!parsed.success) continue;
    for (const q of parsed.data.qualityHistory ?? []) byEpoch.set(q.epoch, q);
    if (parsed.data.quality) byEpoch.set(epoch, parsed.data.quality);
  }
  const curve = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  if (kept.length === 0) return { kept, curve, default: null };
  const best = bestQualityEpoch(curve, kept);
  const choice = best ? { epoch: best.epoch, by: 'best-fid' as const, fid: best.fid, classFidelity: best.classFidelity } : { epoch: kept[kept.length - 1], by: 'latest' as const };
  return { kept, curve, default: { ...choice, reason: checkpointReason(choice) } };
}

/** Checks the generator runs and resolves default checkpoints (the best on validation); throws SynthesisError with a
 * message a user can act on. */
export function planSynthesis(db: Db, dataDir: string, raw: SynthesizeInput): SynthConfig {
  const input = synthesizeInputSchema.parse(raw);
  const generators = input.generators.map(({ runId, epoch }) => {
    const run = getRun(db, runId);
    if (!run) throw new SynthesisError(`No run with id ${runId}.`);
    const config = generatorConfigSchema.safeParse(run.config);
    if (!config.success) throw new SynthesisError(`Run ${runId} is a ${run.model} run, not a VAE or GAN generator.`);
    if (run.status !== 'succeeded') throw new SynthesisError(`Generator run ${runId} has not succeeded (it is ${run.status}).`);
    const { kept: available, curve, default: fallback } = generatorCheckpoints(dataDir, runId);
    if (available.length === 0 || !fallback) throw new SynthesisError(`Generator run ${runId} has no checkpoint on disk.`);
    if (epoch !== undefined && !available.includes(epoch)) throw new SynthesisError(`Run ${runId} has no checkpoint for epoch ${epoch}; kept epochs: ${available.join(', ')}.`);
    const measured = curve.find((q) => q.epoch === epoch);
    const given = epoch === undefined ? null : { epoch, by: 'chosen' as const, fid: measured?.fid, classFidelity: measured?.classFidelity };
    const choice = given ? { ...given, reason: checkpointReason(given) } : fallback;
    return { run, config: config.data, epoch: choice.epoch, reason: choice.reason };
  });
  const classes = generators.map((g) => g.config.imageClass);
  if (new Set(classes).size !== classes.length) throw new SynthesisError(`Both runs learn ${classes[0]} images; choose at most one generator per class.`);
  const datasets = new Set(generators.map((g) => g.run.datasetId));
  if (datasets.size > 1) throw new SynthesisError('The generator runs learned from different real datasets; pick runs trained on the same one.');
  const sizes = new Set(generators.map((g) => g.config.imageSize));
  if (sizes.size > 1) throw new SynthesisError(`The generators make images of different sizes (${[...sizes].join(' and ')} px); pick runs trained at one size.`);
  return synthConfigSchema.parse({
    model: 'synth',
    preset: generators[0].config.preset,
    seed: input.seed,
    datasetId: generators[0].run.datasetId,
    trainData: 'real',
    perClass: input.perClass,
    generators: generators.map((g) => ({ runId: g.run.id, model: g.config.model, imageClass: g.config.imageClass, epoch: g.epoch, reason: g.reason })),
    name: input.name,
    ...revisionOf('synth'),
  });
}

/** Moves the staged folder into place and records the dataset with its lineage. Returns the
 * existing version when the same content is already stored. */
export function registerSynthetic(db: Db, dataDir: string, runId: string, config: SynthConfig, summary: SyntheticSummary): DatasetRow {
  const staged = stagingDir(dataDir, runId);
  const id = `ds-${summary.contentHash.slice(0, 12)}`;
  const existing = getDataset(db, id);
  if (existing) {
    // Same images: the version stays; its report (derived, not content) is replaced by the one
    // just measured, which may come from a newer method.
    for (const name of fs.existsSync(staged) ? fs.readdirSync(staged) : []) {
      if (name === 'quality.json' || /^closest-\w+\.png$/.test(name)) fs.renameSync(path.join(staged, name), path.join(dataDir, existing.dir, name));
    }
    fs.rmSync(staged, { recursive: true, force: true });
    return existing;
  }
  if (!fs.existsSync(path.join(staged, 'meta.json'))) throw new SynthesisError(`the synthesis run staged no dataset at ${staged}`);
  const meta = JSON.parse(fs.readFileSync(path.join(staged, 'meta.json'), 'utf8')) as { size: number; count: number };
  if (meta.count !== summary.count || meta.size !== summary.imageSize) throw new SynthesisError('the staged dataset does not match the run summary');
  // The staged pixels must be the dataset the run reported (an agent uploaded them from afar).
  const files = readDatasetFiles(staged);
  if (datasetFilesHash(files) !== summary.contentHash) throw new SynthesisError('the staged dataset does not hash to the content hash the run reported');
  const labels = files.labels;
  const real = getDataset(db, config.datasetId);
  const all = Array.from(labels.keys());
  const models = [...new Set(config.generators.map((g) => g.model))].join('+');
  const dir = path.join('datasets', id);
  fs.mkdirSync(path.join(dataDir, 'datasets'), { recursive: true });
  fs.renameSync(staged, path.join(dataDir, dir));
  const row: DatasetRow = {
    id,
    name: config.name ?? uniqueName(db, `synthetic-${models}-${real?.name ?? config.datasetId}-${summary.count}`),
    kind: 'synthetic',
    contentHash: summary.contentHash,
    dir,
    imageSize: summary.imageSize,
    count: summary.count,
    classCounts: { ...summary.classCounts, unlabelled: 0 },
    source: `synthesis run ${runId}`,
    duplicateGroups: 0,
    // Synthetic images only ever train: validation and test always come from real data.
    splits: { seed: config.seed, train: all, val: [], test: [] },
    anomalySplits: { seed: config.seed, train: all.filter((i) => labels[i] === 0), val: [], test: [] },
    lineage: {
      synthesisRun: runId,
      realDataset: config.datasetId,
      realDatasetName: real?.name ?? null,
      seed: config.seed,
      perClass: config.perClass,
      generators: config.generators.map((g) => ({ ...g, checkpoint: `artifacts/${g.runId}/checkpoints/${checkpointDirName(g.epoch)}` })),
    },
    createdAt: Date.now(),
  };
  try {
    return insertDataset(db, row);
  } catch (err) {
    fs.rmSync(path.join(dataDir, dir), { recursive: true, force: true });
    throw err;
  }
}

/** Staging folders of synthesis runs that are no longer queued or running (a crash, a kill). */
export function removeStaleStaging(db: Db, dataDir: string): void {
  const tmp = path.join(dataDir, 'tmp');
  if (!fs.existsSync(tmp)) return;
  const live = new Set(listRuns(db, 10_000).filter((r) => r.status === 'queued' || r.status === 'running').map((r) => r.id));
  for (const name of fs.readdirSync(tmp)) {
    const m = /^synth-(.+?)(\.tmp-\d+)?$/.exec(name);
    if (m && !live.has(m[1])) fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
  }
}
