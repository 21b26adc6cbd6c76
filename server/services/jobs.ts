// What a worker receives when it claims a run: the run's config with its datasets, the folders
// under DATA_DIR it works in, a synthesis run's generators, and how many runs train beside it.
// A claimed run that cannot become a valid job fails at once, with the reason.
import path from 'node:path';
import type { Db } from '../../db/client';
import { getRun } from '../../db/queries/runs';
import { getDataset, type DatasetRow } from '../../db/queries/datasets';
import { jobSchema, type Job } from '../../lib/contracts/events';
import { synthConfigSchema, type SynthConfig } from '../../lib/contracts/run-config';
import { checkpointDirName } from '../../workers/models/checkpoint';
import { checkpointRoot, stagingDir } from '../datasets/synthesize';
import type { RunRow } from '../queue/run-queue';
import type { RunService } from './runs';
import type { WorkerRegistry } from './workers';

export interface JobServiceOptions {
  db: Db;
  dataDir: string;
  /** The queue this server hands out: the dashboard's, or one command-line invocation's. */
  origin: string;
  runs: RunService;
  /** A drained worker is handed nothing. */
  workers: WorkerRegistry;
  /** Runs of this origin training at once, the claimed one included (the scheduler knows). */
  concurrentRuns: () => Promise<number>;
  /** Whether a GPU worker is connected now (paper-preset runs wait for one then). */
  gpuWorkersAttached?: () => boolean;
}

export class JobService {
  constructor(private readonly opts: JobServiceOptions) {}

  /** Claims the next queued run for a worker. `claimed` says whether a run was taken; `job` is
   * null when nothing was queued or the claimed run could not become a job (it failed). A
   * drained worker claims nothing, and the queue is left as it is. */
  async claimNextJob(workerId: string, backend: string, gpu = false): Promise<{ claimed: boolean; job: Job | null }> {
    const { runs, origin, workers } = this.opts;
    if (workers.isDrained(workerId)) return { claimed: false, job: null };
    // A CPU worker leaves paper-preset runs to the GPU workers attached, if any.
    const avoidPaper = !gpu && (this.opts.gpuWorkersAttached?.() ?? false);
    return this.toJob(await runs.claim(origin, { workerId, backend, gpu, avoidPaper }));
  }

  /** Team mode: the run of a queue ticket, for the agent that drew it; null when the ticket is
   * stale (the run was cancelled, deleted, or already taken up again under a newer ticket). */
  async takeJob(runId: string, attempt: number, workerId: string, backend: string, gpu = false): Promise<Job | null> {
    if (this.opts.workers.isDrained(workerId)) return null;
    return (await this.toJob(await this.opts.runs.claimRun(runId, attempt, { workerId, backend, gpu }))).job;
  }

  private async toJob(claimed: { row: RunRow; resume: Job['resume'] } | undefined): Promise<{ claimed: boolean; job: Job | null }> {
    const { runs, concurrentRuns } = this.opts;
    if (!claimed) return { claimed: false, job: null };
    const { row, resume } = claimed;
    const job = jobSchema.safeParse({ ...(this.assemble(row, await concurrentRuns()) as object), resume });
    if (job.success) return { claimed: true, job: job.data };
    await runs.fail(row.id, `The run's config or dataset is invalid: ${job.error.issues[0]?.message}`);
    return { claimed: true, job: null };
  }

  /** The job before validation: missing datasets stay undefined so the schema names them. */
  private assemble(row: RunRow, concurrentRuns: number): unknown {
    const { db, dataDir } = this.opts;
    const dataset = getDataset(db, row.datasetId);
    const synth = synthConfigSchema.safeParse(row.config);
    const syntheticId = 'syntheticDatasetId' in row.config ? row.config.syntheticDatasetId : undefined;
    const synthetic = syntheticId ? getDataset(db, syntheticId) : undefined;
    const jobDataset = (d: DatasetRow) => ({ id: d.id, name: d.name, contentHash: d.contentHash, dir: path.join(dataDir, d.dir), imageSize: d.imageSize, count: d.count, splits: d.splits, anomalySplits: d.anomalySplits });
    return {
      runId: row.id,
      config: row.config,
      dataset: dataset && jobDataset(dataset),
      synthetic: syntheticId ? (synthetic ? jobDataset(synthetic) : undefined) : null,
      paths: { artifacts: path.join(dataDir, 'artifacts', row.id), encoders: path.join(dataDir, 'encoders'), staging: stagingDir(dataDir, row.id) },
      generators: synth.success ? this.synthesisGenerators(synth.data) : [],
      concurrentRuns,
    };
  }

  /** What a worker needs to load each generator of a synthesis run. */
  private synthesisGenerators(config: SynthConfig) {
    const { db, dataDir } = this.opts;
    return config.generators.map((g) => {
      const run = getRun(db, g.runId);
      return { runId: g.runId, config: run?.config, epoch: g.epoch, checkpointDir: path.join(checkpointRoot(dataDir, g.runId), checkpointDirName(g.epoch)) };
    });
  }
}
