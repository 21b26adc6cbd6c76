// The two limits every entry point that adds work or files checks first: free space under
// DATA_DIR (MIN_FREE_MB kept free beyond what the operation is estimated to write) and the runs
// one person may have waiting (MAX_QUEUED_PER_USER). Both throw a Refusal, which tRPC answers
// with its code and the upload route with 507, before anything is created.
import fs from 'node:fs';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { runs, studies, studyNodes } from '../../db/schema';
import { presetFor, type ModelName, type PresetName, type RunConfig } from '../../lib/contracts/run-config';
import type { StepSpec } from '../../lib/contracts/study';
import { Refusal } from './refusal';

export const MB = 1024 ** 2;

export interface Limits {
  /** MIN_FREE_MB, in bytes. */
  minFreeBytes: number;
  /** MAX_QUEUED_PER_USER. */
  maxQueuedPerUser: number;
}

const mb = (bytes: number) => Math.ceil(bytes / MB).toLocaleString('en-US');

/** Refuses when writing about `neededBytes` under DATA_DIR would leave less than MIN_FREE_MB. */
export function checkFreeSpace(dataDir: string, minFreeBytes: number, neededBytes: number, what: string): void {
  const stats = fs.statfsSync(existingAncestor(dataDir));
  const free = stats.bavail * stats.bsize;
  if (free - neededBytes >= minFreeBytes) return;
  throw new Refusal(
    `Not enough disk space for ${what}: only ${mb(free)} MB free under DATA_DIR; this needs about ${mb(neededBytes)} MB ` +
      `and MIN_FREE_MB keeps ${mb(minFreeBytes)} MB free. Delete old runs or datasets, or free space on the disk.`,
    'PRECONDITION_FAILED',
  );
}

/** DATA_DIR, or the folder it will be made in (the command line's first import makes it). */
function existingAncestor(dir: string): string {
  const parent = path.dirname(dir);
  return fs.existsSync(dir) || parent === dir ? dir : existingAncestor(parent);
}

/** A generator's checkpoint at each preset (float32 weights; the paper's VAE and GAN at 128 px). */
const CHECKPOINT_BYTES = { smoke: 1 * MB, quick: 15 * MB, paper: 150 * MB } as const;
/** Sample grids, heat maps and logs of one run. */
const RUN_IMAGES_BYTES = 5 * MB;

/** A run's resume state at each preset (weights, both Adam moments and, for the BrainCNN, the
 * best epoch's weights: workers/train/resume-state.ts; a paper BrainCNN's is about 550 MB). It
 * exists while the run trains, twice for a moment when the next epoch's replaces it. */
const RESUME_STATE_BYTES = { smoke: 1 * MB, quick: 50 * MB, paper: 550 * MB } as const;

/** What a training run is expected to write under DATA_DIR: its images, its resume state while
 * it trains, and the checkpoints a generator keeps (the last five, every tenth and the final
 * one: workers/models/checkpoint.ts). */
function trainingNeedsBytes(model: ModelName, preset: PresetName, epochs: number, { resume = true } = {}): number {
  const base = RUN_IMAGES_BYTES + (resume ? 2 * RESUME_STATE_BYTES[preset] : 0);
  if (model !== 'vae' && model !== 'gan') return base;
  const kept = Math.min(epochs, 6 + Math.floor(epochs / 10));
  return base + kept * CHECKPOINT_BYTES[preset];
}

/** A synthetic dataset: one byte per pixel (at most 128 px square), plus previews and report. */
const synthesisNeedsBytes = (images: number): number => images * 128 * 128 + 2 * MB;

export function runNeedsBytes(config: RunConfig): number {
  if (config.model === 'synth') return synthesisNeedsBytes(config.perClass * config.generators.length);
  return trainingNeedsBytes(config.model, config.preset, config.epochs);
}

/** A study's steps together (each at its preset's epochs). Resume states go when their run ends,
 * so they are counted for two runs training at once, not for every step. */
export function stepsNeedBytes(steps: StepSpec[]): number {
  let resume = 0;
  const kept = steps.reduce((sum, step) => {
    if (step.kind === 'synth') return sum + synthesisNeedsBytes(step.perClass * step.generators.length);
    const { model, preset, overrides } = step.launch;
    resume = Math.max(resume, 2 * RESUME_STATE_BYTES[preset]);
    return sum + trainingNeedsBytes(model, preset, (overrides as { epochs?: number }).epochs ?? Number(presetFor(model, preset).epochs), { resume: false });
  }, 0);
  return kept + 2 * resume;
}

/** An import stages the upload and then writes the dataset: about twice the upload. */
export const importNeedsBytes = (uploadBytes: number): number => 2 * uploadBytes;

/** The bytes of the files under `source` (a file or a folder), for the command-line import. */
export function sizeOnDisk(source: string): number {
  const stat = fs.statSync(source);
  if (!stat.isDirectory()) return stat.size;
  return fs.readdirSync(source).reduce((sum, name) => sum + sizeOnDisk(path.join(source, name)), 0);
}

/** Runs this person has waiting: queued runs, and steps of their live studies not launched yet. */
export function waitingRuns(db: Db, userId: string): number {
  const queued = db.select({ n: sql<number>`count(*)` }).from(runs).where(and(eq(runs.launchedBy, userId), eq(runs.status, 'queued'))).get()?.n ?? 0;
  const steps = db
    .select({ n: sql<number>`count(*)` })
    .from(studyNodes)
    .innerJoin(studies, eq(studies.id, studyNodes.studyId))
    .where(and(eq(studies.launchedBy, userId), eq(studies.cancelled, false), eq(studyNodes.state, 'waiting')))
    .get()?.n ?? 0;
  return queued + steps;
}

/** Refuses adding `adding` runs for this person past MAX_QUEUED_PER_USER. The command line's own
 * runs (no person) are not capped: whoever runs it owns the machine. */
export function checkQueueCap(db: Db, limits: Limits, userId: string | null, adding: number): void {
  if (userId === null) return;
  const waiting = waitingRuns(db, userId);
  if (waiting + adding <= limits.maxQueuedPerUser) return;
  throw new Refusal(
    `Too many runs waiting: you have ${waiting} queued or planned and this adds ${adding}, past the limit of ${limits.maxQueuedPerUser} ` +
      `per person (MAX_QUEUED_PER_USER). Wait for some to finish or cancel some first.`,
    'TOO_MANY_REQUESTS',
  );
}

/** What every launch checks first: the person's queue, then the disk. */
export function checkLaunchLimits(db: Db, dataDir: string, limits: Limits, userId: string | null, runs: number, neededBytes: number): void {
  checkQueueCap(db, limits, userId, runs);
  checkFreeSpace(dataDir, limits.minFreeBytes, neededBytes, runs === 1 ? 'this run' : `these ${runs} runs`);
}
