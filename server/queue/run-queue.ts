// The run queue: the one place a run's status changes (queued -> running -> succeeded, failed or
// cancelled). SQLite is the embedded default (sqlite-queue.ts); BullMQ on Redis is to come behind
// the same interface, so it speaks in contract types and rows, never SQL, and every call is async.
import type { RunConfig } from '../../lib/contracts/run-config';
import type { RunSummary } from '../../lib/contracts/events';
import type { RunRow } from '../../db/schema';

export type { RunRow };

/** How long a claim holds without news from its worker. Longer than the socket's two-minute ping
 * timeout, as a worker may be busy for a long synchronous stretch and still be training. */
export const RUN_LEASE_MS = 5 * 60_000;

/** Who claims, and which runs it may take: a run that requires a GPU goes to a GPU worker
 * only; `avoidPaper`: a CPU worker leaves paper-preset runs to the GPU workers attached. */
export interface ClaimingWorker {
  workerId: string;
  backend: string;
  gpu?: boolean;
  avoidPaper?: boolean;
}

export interface QueueCounts {
  queued: number;
  running: number;
}

export interface RunQueue {
  /** Adds a queued run; a higher priority is claimed first, then the oldest. `launchedBy` is the
   * launching person's id (null: the command line or a study's own step). */
  enqueue(config: RunConfig, origin: string, priority?: number, launchedBy?: string | null): Promise<RunRow>;
  /** Hands the next queued run of `origin` to a worker, leased until now + leaseMs; undefined
   * when nothing is queued. A run is handed to one worker only. */
  claim(origin: string, worker: ClaimingWorker, leaseMs?: number): Promise<RunRow | undefined>;
  /** Hands this queued run to a worker if it is still waiting for attempt `attempt` (a team-mode
   * ticket: a stale or cancelled one finds nothing). */
  claimRun(runId: string, attempt: number, worker: ClaimingWorker, leaseMs?: number): Promise<RunRow | undefined>;
  /** The worker that holds a running run is still at it: its lease runs until now + leaseMs. */
  extendLease(runId: string, workerId: string, leaseMs?: number): Promise<RunRow | undefined>;
  /** Progress (0..1) of a running run. */
  updateProgress(runId: string, progress: number): Promise<RunRow | undefined>;
  /** A running run succeeded with this summary. */
  complete(runId: string, summary: RunSummary): Promise<RunRow | undefined>;
  /** A queued or running run failed; a finished run keeps its outcome. */
  fail(runId: string, error: string): Promise<RunRow | undefined>;
  /** A queued or running run was cancelled by a user. */
  cancel(runId: string): Promise<RunRow | undefined>;
  /** A running run whose worker or server was lost: back to the queue (keeping its progress and
   * its attempts, with `reason` added to them) while it has taken fewer than `maxAttempts`
   * claims; failed with every attempt's reason otherwise. Undefined when it is not running. */
  retry(runId: string, reason: string, maxAttempts: number): Promise<{ row: RunRow; requeued: boolean } | undefined>;
  /** Running runs of `origin` whose lease ran out before `now`. */
  expiredLeases(origin: string, now: number): Promise<RunRow[]>;
  /** A queued or running run of `from` (a process that is gone) is handed out by `to` now. */
  adopt(runId: string, from: string, to: string): Promise<RunRow | undefined>;
  /** A running, failed or cancelled run goes back to the queue as if never claimed (a lost
   * worker's run, a retry); a succeeded run keeps its results. */
  requeue(runId: string): Promise<RunRow | undefined>;

  /** Runs of `origin` waiting for a worker and being trained. */
  counts(origin: string): Promise<QueueCounts>;
  /** Queued runs of `origin`, in the order they would be claimed. */
  queuedRuns(origin: string): Promise<RunRow[]>;
  /** Running runs held by one worker. */
  runsHeldBy(workerId: string): Promise<RunRow[]>;
  /** Every queued or running run, whatever its origin: what a starting dashboard checks for runs
   * whose server or command-line process is gone. */
  orphanedRuns(): Promise<RunRow[]>;
}
