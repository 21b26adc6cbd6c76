// The services of one server process, wired once: the only code that changes state (runs through
// the run queue, jobs, run streams and artifacts, the workers table, deletions). Transports call them.
import type { Db } from '../../db/client';
import type { RunQueue } from '../queue/run-queue';
import { RunArtifacts } from './artifacts';
import { JobService } from './jobs';
import { RunStream } from './run-stream';
import { RunService, type RunHooks, type RunServiceOptions } from './runs';
import { WorkerRegistry } from './workers';
import { ActivityLog } from './activity';
import { DeletionService, type DeletedHook } from './deletion';

export interface Services {
  runs: RunService;
  jobs: JobService;
  stream: RunStream;
  artifacts: RunArtifacts;
  workers: WorkerRegistry;
  activity: ActivityLog;
  deletions: DeletionService;
}

export interface ServicesOptions {
  db: Db;
  dataDir: string;
  origin: string;
  queue: RunQueue;
  hooks: RunHooks;
  runOptions?: RunServiceOptions;
  /** Tells browsers what a deletion removed. */
  deleted: DeletedHook;
  concurrentRuns: () => Promise<number>;
  gpuWorkersAttached?: () => boolean;
}

export function createServices({ db, dataDir, origin, queue, hooks, runOptions, deleted, concurrentRuns, gpuWorkersAttached }: ServicesOptions): Services {
  const runs = new RunService(db, dataDir, queue, hooks, runOptions);
  const activity = new ActivityLog(db, () => hooks.announce('activity:updated'));
  const workers = new WorkerRegistry(db, () => hooks.announce('workers:updated'));
  return {
    runs,
    jobs: new JobService({ db, dataDir, origin, runs, workers, concurrentRuns, gpuWorkersAttached }),
    stream: new RunStream(db),
    artifacts: new RunArtifacts(db, dataDir),
    workers,
    activity,
    deletions: new DeletionService(db, dataDir, activity, deleted),
  };
}
