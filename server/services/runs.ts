// A run's life as the rest of the server sees it: launched (queued, shown, the scheduler woken),
// claimed, reporting progress, then completed (its result rows or its synthetic dataset recorded),
// failed (its staged dataset removed) or cancelled (its worker told to stop). Each change goes
// through the run queue and is published once, from here.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/client';
import { getRun } from '../../db/queries/runs';
import { getDataset } from '../../db/queries/datasets';
import { insertResults } from '../../db/queries/results';
import { synthConfigSchema, type RunConfig } from '../../lib/contracts/run-config';
import { isSyntheticSummary, type ResultCell, type RunSummary, type SyntheticSummary } from '../../lib/contracts/events';
import { RUN_LEASE_MS, type ClaimingWorker, type RunQueue, type RunRow } from '../queue/run-queue';
import { registerSynthetic, stagingDir } from '../datasets/synthesize';
import { rewindStream } from '../../db/queries/metrics';
import { dropResumeState, readResumePoint, resumeRoot, type ResumePoint } from '../../workers/train/resume-state';

export interface RunHooks {
  /** Tells browsers (and the study manager, which moves studies on) that a run changed. */
  publishRun: (row: RunRow) => void;
  /** Tells browsers that a list they show changed. */
  announce: (event: 'results:updated' | 'datasets:updated' | 'activity:updated' | 'workers:updated') => void;
  /** Tells the worker training a cancelled run to stop. */
  cancelOnWorker: (row: RunRow) => void;
  /** Wakes the scheduler: a run is waiting. */
  poke: () => void;
  /** A line in a run's log, from the server itself (stored and shown like a worker's). */
  runLog: (runId: string, level: 'info' | 'warn' | 'error', message: string) => void;
  /** Tells a run's viewers that what it streamed after `step` is gone (it trains those again). */
  rewound: (runId: string, step: number) => void;
}

export interface RunServiceOptions {
  /** How long a claim holds without news from the worker. */
  leaseMs: number;
  /** Claims a run may take before a lost worker or server fails it. */
  maxAttempts: number;
}

export class RunService {
  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly queue: RunQueue,
    private readonly hooks: RunHooks,
    private readonly opts: RunServiceOptions = { leaseMs: RUN_LEASE_MS, maxAttempts: 3 },
  ) {}

  /** Queues a run. `launchedBy`: the launching person's id (a study's step: the person who
   * started the study); null for the command line. */
  async launch(config: RunConfig, origin: string, { launchedBy, priority = 0 }: { launchedBy: string | null; priority?: number }): Promise<RunRow> {
    const row = await this.queue.enqueue(config, origin, priority, launchedBy);
    this.hooks.publishRun(row);
    this.hooks.poke();
    return row;
  }

  /** The next queued run of `origin`, now running on this worker; for a run taken up again,
   * where it resumes (the end of its last saved epoch; null: it starts over). What it streamed
   * after that point is removed first, so its curves go on from there. */
  async claim(origin: string, worker: ClaimingWorker): Promise<{ row: RunRow; resume: ResumePoint | null } | undefined> {
    return this.claimed(await this.queue.claim(origin, worker, this.opts.leaseMs));
  }

  /** Team mode: the run a queue ticket names, if it still waits for that attempt. */
  async claimRun(runId: string, attempt: number, worker: ClaimingWorker): Promise<{ row: RunRow; resume: ResumePoint | null } | undefined> {
    return this.claimed(await this.queue.claimRun(runId, attempt, worker, this.opts.leaseMs));
  }

  private claimed(row: RunRow | undefined): { row: RunRow; resume: ResumePoint | null } | undefined {
    if (!row) return undefined;
    const resume = row.attempts > 1 ? this.rewind(row) : null;
    this.hooks.publishRun(row);
    return { row, resume };
  }

  private rewind(row: RunRow): ResumePoint | null {
    const resume = readResumePoint(resumeRoot(this.artifactsDir(row.id)));
    const { points, files } = rewindStream(this.db, row.id, resume?.step ?? -1);
    for (const file of files) fs.rmSync(path.join(this.dataDir, file), { force: true });
    const where = resume ? `resumes after epoch ${resume.epoch} (step ${resume.step}) from its saved state` : 'starts over (no epoch was saved)';
    this.hooks.runLog(row.id, 'warn', `attempt ${row.attempts} of ${this.opts.maxAttempts} on worker ${row.workerId}: the run ${where}; ${points} metric points and ${files.length} images recorded after that point were removed`);
    this.hooks.rewound(row.id, resume?.step ?? -1);
    return resume;
  }

  /** A running run whose worker or server was lost: queued again to resume on the next free
   * worker, or failed with every attempt's reason once it has had its attempts. */
  async retry(runId: string, reason: string): Promise<RunRow | undefined> {
    fs.rmSync(stagingDir(this.dataDir, runId), { recursive: true, force: true });
    const out = await this.queue.retry(runId, reason, this.opts.maxAttempts);
    if (!out) return undefined;
    const { row, requeued } = out;
    if (requeued) {
      const resume = readResumePoint(resumeRoot(this.artifactsDir(runId)));
      const next = resume ? `resume after epoch ${resume.epoch}` : 'start over';
      this.hooks.runLog(runId, 'warn', `attempt ${row.attempts} ended: ${reason}. Queued again: it will ${next} on the next free worker (attempt ${row.attempts + 1} of ${this.opts.maxAttempts}).`);
      this.hooks.poke();
    } else this.dropResumeState(runId);
    this.hooks.publishRun(row);
    return row;
  }

  /** The run, if it is running on this worker (what a worker's report must be about). */
  heldBy(runId: string, workerId: string | undefined): RunRow | undefined {
    const run = getRun(this.db, runId);
    return run && run.status === 'running' && run.workerId === workerId ? run : undefined;
  }

  async extendLease(runId: string, workerId: string): Promise<void> {
    await this.queue.extendLease(runId, workerId, this.opts.leaseMs);
  }

  async reportProgress(runId: string, progress: number): Promise<void> {
    const row = await this.queue.updateProgress(runId, Math.min(1, progress));
    if (row) this.hooks.publishRun(row);
  }

  /** Records what a finished run produced, then marks it succeeded. */
  async complete(run: RunRow, summary: RunSummary, results: ResultCell[]): Promise<RunRow | undefined> {
    if (isSyntheticSummary(summary)) return this.completeSynthesis(run, summary);
    const column = trainDataLabel(this.db, run.config);
    insertResults(this.db, run.id, run.datasetId, results.map((r) => ({ ...r, trainData: column })));
    const row = await this.queue.complete(run.id, summary);
    this.dropResumeState(run.id);
    if (row) this.hooks.publishRun(row);
    this.hooks.announce('results:updated');
    return row;
  }

  /** Fails a queued or running run; a synthesis run's staged dataset goes with it. */
  async fail(runId: string, error: string): Promise<RunRow | undefined> {
    fs.rmSync(stagingDir(this.dataDir, runId), { recursive: true, force: true });
    const row = await this.queue.fail(runId, error);
    if (row) this.dropResumeState(runId);
    if (row) this.hooks.publishRun(row);
    return row;
  }

  /** The server cannot keep what the run sends (a full disk): the run fails with the reason and
   * its worker is told to stop. */
  async abort(runId: string, error: string): Promise<RunRow | undefined> {
    const row = await this.fail(runId, error);
    if (row) this.hooks.cancelOnWorker(row);
    return row;
  }

  async cancel(runId: string): Promise<RunRow | undefined> {
    const row = await this.queue.cancel(runId);
    if (!row) return undefined;
    this.dropResumeState(runId);
    this.hooks.cancelOnWorker(row);
    this.hooks.publishRun(row);
    return row;
  }

  private artifactsDir(runId: string): string {
    return path.join(this.dataDir, 'artifacts', runId);
  }

  /** A run's resume state is kept only while it may be taken up again: an ended run loses it
   * (its per-epoch generator checkpoints stay). */
  private dropResumeState(runId: string): void {
    dropResumeState(resumeRoot(this.artifactsDir(runId)));
  }

  /** The staged dataset becomes a version now; if that fails the run fails and nothing stays. */
  private async completeSynthesis(run: RunRow, summary: SyntheticSummary): Promise<RunRow | undefined> {
    let row: RunRow | undefined;
    try {
      const dataset = registerSynthetic(this.db, this.dataDir, run.id, synthConfigSchema.parse(run.config), summary);
      row = await this.queue.complete(run.id, { ...summary, datasetId: dataset.id, datasetName: dataset.name });
      this.dropResumeState(run.id);
      this.hooks.announce('datasets:updated');
    } catch (err) {
      return this.fail(run.id, `The synthetic dataset could not be registered: ${err instanceof Error ? err.message : err}`);
    }
    if (row) this.hooks.publishRun(row);
    return row;
  }
}

/** The comparison table's column for a classifier's training data: `real`, or `synthetic-vae`,
 * `mixed-gan`… after the generator family of its synthetic dataset (from the lineage), and
 * `mixed-vae×0.25` for a mix ratio other than 1. */
export function trainDataLabel(db: Db, config: RunConfig): string {
  if (config.model !== 'cnn' && config.model !== 'cvae') return config.trainData;
  if (config.trainData === 'real' || !config.syntheticDatasetId) return config.trainData;
  const lineage = getDataset(db, config.syntheticDatasetId)?.lineage;
  const models = [...new Set((lineage?.generators ?? []).map((g) => g.model))].sort().join('+');
  const label = models ? `${config.trainData}-${models}` : config.trainData;
  // Mixed at another ratio than 1:1 is another experiment (the mix-ratio sweep): its own column.
  return config.trainData === 'mixed' && config.mixRatio !== undefined && config.mixRatio !== 1 ? `${label}×${config.mixRatio}` : label;
}
