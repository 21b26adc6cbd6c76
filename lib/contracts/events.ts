// The real-time contract: every socket.io event between browsers, the server and workers, with
// the zod schemas used to validate each message where it arrives.
import { z } from 'zod';
import { generatorConfigSchema, runConfigSchema, type ImageClass, type PresetName, type TrainDataKind } from './run-config';
import { metricNameSchema } from './metrics';
import type { PresenceFromBrowserEvents, PresenceToBrowserEvents } from './presence';
import type { CommentsToBrowserEvents } from './comments';

export const runStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof runStatuses)[number];

/** What a run trains or makes: a config's `model`, and the job kind that runs it. */
export const runModels = ['cnn', 'cvae', 'vae', 'gan', 'synth'] as const;
export type RunModel = (typeof runModels)[number];
export const runKinds = ['classify', 'train-generator', 'synthesize'] as const;
export type RunKind = (typeof runKinds)[number];

/** Where a synthetic dataset came from: the synthesis run, the real dataset and the generators
 * (run, class, checkpoint epoch and folder) it drew from. */
export interface DatasetLineage {
  synthesisRun: string;
  realDataset: string;
  realDatasetName: string | null;
  seed: number;
  perClass: number;
  generators: { runId: string; model: 'vae' | 'gan'; imageClass: 'tumor' | 'healthy'; epoch: number; checkpoint: string; reason?: string }[];
}

export const metricPointSchema = z.object({
  step: z.number().int().min(0),
  epoch: z.number().min(0),
  name: metricNameSchema,
  value: z.number().finite(),
});
export type MetricPoint = z.infer<typeof metricPointSchema>;

/** A metric point once stored: `id` orders points so late joiners can merge without gaps. It
 * carries no run id: every message and history request is about one run, and hundreds of viewers
 * each parsing a run id per point is a quarter of a live batch's bytes. */
export type StoredMetricPoint = MetricPoint & { id: number };

const runId = z.string().min(1).max(64);

export const confusionSchema = z.object({ tp: z.number().int(), fp: z.number().int(), tn: z.number().int(), fn: z.number().int() });

/** Threshold-free figures from the test scores, with the curves downsampled for drawing. */
export const scoreMetricsSchema = z.object({
  auroc: z.number().min(0).max(1),
  auprc: z.number().min(0).max(1),
  /** Sensitivity (recall) at 95% specificity. */
  sensitivityAt95: z.number().min(0).max(1),
  roc: z.object({ fpr: z.array(z.number()).max(400), tpr: z.array(z.number()).max(400) }),
  pr: z.object({ recall: z.array(z.number()).max(400), precision: z.array(z.number()).max(400) }),
});
export type ScoreMetrics = z.infer<typeof scoreMetricsSchema>;

const trainImagesSchema = z.object({ real: z.number().int().min(0), synthetic: z.number().int().min(0) });

export const classifierSummarySchema = z.object({
  accuracy: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  confusion: confusionSchema,
  bestEpoch: z.number().int().min(1),
  testSize: z.number().int().min(0),
  seconds: z.number().min(0),
  scores: scoreMetricsSchema.optional(),
  trainImages: trainImagesSchema.optional(),
  /** Threads the batches were split over (absent in runs from before data-parallel training). */
  threads: z.number().int().min(1).optional(),
  /** Epochs trained: the budget, or fewer when validation stopped improving (early stopping). */
  epochsTrained: z.number().int().min(1).optional(),
  stoppedEarly: z.boolean().optional(),
  /** The best epoch on validation was the last one trained: the model may not have converged
   * (absent in runs from before early stopping). */
  mayNotHaveConverged: z.boolean().optional(),
});
export type ClassifierSummary = z.infer<typeof classifierSummarySchema>;

/** One decision technique of a BrainCVAE run: chosen on validation, measured once on test. */
export const techniqueResultSchema = z.object({
  technique: z.string().min(1).max(32),
  params: z.record(z.string().max(32), z.number()),
  validationF1: z.number(),
  accuracy: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  confusion: confusionSchema,
  scores: scoreMetricsSchema,
});
export type TechniqueResult = z.infer<typeof techniqueResultSchema>;

export const anomalySummarySchema = z.object({
  kind: z.literal('anomaly'),
  techniques: z.array(techniqueResultSchema).min(1).max(4),
  /** Mean validation loss per image of healthy validation images, per epoch (the last is used). */
  finalLosses: z.record(z.string().max(64), z.number()),
  testSize: z.number().int().min(0),
  valSize: z.number().int().min(0),
  trainImages: trainImagesSchema,
  seconds: z.number().min(0),
});
export type AnomalySummary = z.infer<typeof anomalySummarySchema>;

/** A generator run's outcome: its last losses (averaged over the last epoch). */
export const generatorSummarySchema = z.object({
  kind: z.literal('generator'),
  losses: z.record(z.string().max(64), z.number().finite()),
  steps: z.number().int().min(0),
  samples: z.number().int().min(0),
  /** Epochs whose checkpoint is kept (see workers/models/checkpoint.ts). */
  checkpoints: z.array(z.number().int().min(1)).default([]),
  secondsPerEpoch: z.number().min(0).optional(),
  seconds: z.number().min(0),
});
export type GeneratorSummary = z.infer<typeof generatorSummarySchema>;

/** The headline quality and privacy figures of a synthetic dataset (averaged over its classes;
 * the per-class report is stored with the dataset as quality.json). */
export const qualityHeadlineSchema = z.object({
  fid: z.number(),
  kid: z.number(),
  precision: z.number(),
  recall: z.number(),
  memorizationRatio: z.number(),
  copyingLikely: z.boolean(),
  modeCollapseLikely: z.boolean(),
});
export type QualityHeadline = z.infer<typeof qualityHeadlineSchema>;

/** A synthesis run's outcome: the dataset it staged (registered by the server on completion). */
export const syntheticSummarySchema = z.object({
  kind: z.literal('synthetic'),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  imageSize: z.number().int().min(8).max(512),
  count: z.number().int().min(1),
  classCounts: z.object({ healthy: z.number().int().min(0), tumor: z.number().int().min(0) }),
  quality: qualityHeadlineSchema,
  /** Filled in by the server once the dataset is registered. */
  datasetId: z.string().max(64).optional(),
  datasetName: z.string().max(100).optional(),
  seconds: z.number().min(0),
});
export type SyntheticSummary = z.infer<typeof syntheticSummarySchema>;
export type RunSummary = ClassifierSummary | GeneratorSummary | SyntheticSummary | AnomalySummary;

export function isGeneratorSummary(summary: RunSummary): summary is GeneratorSummary {
  return 'kind' in summary && summary.kind === 'generator';
}
export function isSyntheticSummary(summary: RunSummary): summary is SyntheticSummary {
  return 'kind' in summary && summary.kind === 'synthetic';
}
export function isAnomalySummary(summary: RunSummary): summary is AnomalySummary {
  return 'kind' in summary && summary.kind === 'anomaly';
}
export function isClassifierSummary(summary: RunSummary): summary is ClassifierSummary {
  return !('kind' in summary);
}

/** An image a run produced (a sample grid), as the browser sees it. */
export interface RunImageView {
  id: number;
  step: number;
  kind: string;
  url: string;
}

export const resultCellSchema = z.object({
  model: z.string().min(1).max(64),
  technique: z.string().max(64),
  trainData: z.string().min(1).max(64),
  seed: z.number().int(),
  metric: z.string().min(1).max(64),
  value: z.number().finite(),
});
export type ResultCell = z.infer<typeof resultCellSchema>;

// ---- worker -> server ("/workers" namespace) ----
/** What a worker brings: its device, memory and threads, and whether it is the server's own
 * child or an agent on a machine of its own (which shares no disk with the server). */
export const workerCapabilitiesSchema = z.object({
  /** "cpu: <model>" or the GPU's name as the native backend reports it. */
  device: z.string().min(1).max(200),
  gpu: z.boolean(),
  /** Memory of the machine, in MB. */
  memoryMb: z.number().int().min(0),
  /** Cores (threads) training may use. */
  threads: z.number().int().min(1).max(1024),
  /** Runs it trains at once. */
  concurrency: z.number().int().min(1).max(64),
  kind: z.enum(['local', 'agent']),
});
export type WorkerCapabilities = z.infer<typeof workerCapabilitiesSchema>;

/** How often a connected worker says it is alive. */
export const WORKER_HEARTBEAT_MS = 15_000;

export const workerHelloSchema = z.object({
  workerId: z.string().min(1).max(64),
  pid: z.number().int(),
  host: z.string().max(255),
  backend: z.string().min(1).max(32),
  /** Absent from workers older than capability reports. */
  capabilities: workerCapabilitiesSchema.optional(),
});
export const workerMetricsSchema = z.object({ runId, points: z.array(metricPointSchema).min(1).max(5000) });
export const workerLogSchema = z.object({ runId, level: z.enum(['info', 'warn', 'error']), message: z.string().max(4000) });
export const workerProgressSchema = z.object({ runId, epoch: z.number().min(0), step: z.number().int().min(0), totalSteps: z.number().int().min(1) });
export const workerCompleteSchema = z.object({ runId, summary: z.union([classifierSummarySchema, generatorSummarySchema, syntheticSummarySchema, anomalySummarySchema]), results: z.array(resultCellSchema) });
/** A PNG (base64) the worker rendered, e.g. the sample grid at a step; at most 4 MB. */
export const workerImageSchema = z.object({
  runId,
  step: z.number().int().min(0),
  kind: z.enum(['samples', 'real', 'heatmap']),
  png: z.string().min(8).max(6_000_000).regex(/^[A-Za-z0-9+/=]+$/),
});
export const workerFailSchema = z.object({ runId, error: z.string().min(1).max(4000) });
/** Team mode: an agent drew a queue ticket for attempt `attempt` of a run and asks for its job. */
export const workerTakeSchema = z.object({ runId, attempt: z.number().int().min(1).max(1000) });
/** Answered once everything the worker sent about the run before it is stored. */
export const workerSyncSchema = z.object({ runId });

/** What a worker receives when it claims a run. */
const splitsSchema = z.object({ train: z.array(z.number().int()), val: z.array(z.number().int()), test: z.array(z.number().int()) });
const jobDatasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Its sha256 (workers/data/dataset-store.ts datasetHash): an agent fetches it by this. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  dir: z.string(),
  imageSize: z.number().int(),
  count: z.number().int(),
  splits: splitsSchema,
  anomalySplits: splitsSchema.nullable().default(null),
});
export type JobDataset = z.infer<typeof jobDatasetSchema>;

export const jobSchema = z.object({
  runId,
  config: runConfigSchema,
  dataset: jobDatasetSchema,
  /** Classifiers on synthetic or mixed data: the synthetic dataset (train split = all of it). */
  synthetic: jobDatasetSchema.nullable().default(null),
  /** Folders under the shared DATA_DIR: this run's artifacts (checkpoints), the cache of domain
   * encoders, and where a synthesis run stages its dataset for the server to register. */
  paths: z.object({ artifacts: z.string(), encoders: z.string(), staging: z.string() }),
  /** Synthesis runs: the generator runs to draw from, with their configs and checkpoint folders. */
  generators: z.array(z.object({ runId, config: generatorConfigSchema, epoch: z.number().int().min(1), checkpointDir: z.string() })).default([]),
  /** Runs of this server training at once, this one included, when it was claimed: a worker on a
   * single-threaded backend splits its batches over cores / concurrentRuns threads. */
  concurrentRuns: z.number().int().min(1).max(1024).default(1),
  /** A run taken up again after its worker or server was lost: the end of the epoch whose saved
   * state (`<artifacts>/resume`) it goes on from; null: from the start. */
  resume: z.object({ epoch: z.number().int().min(1), step: z.number().int().min(0) }).nullable().default(null),
});
export type Job = z.infer<typeof jobSchema>;

export interface WorkerToServerEvents {
  'worker:hello': (msg: z.infer<typeof workerHelloSchema>) => void;
  /** Every WORKER_HEARTBEAT_MS while connected, busy or idle (the Workers page's last heartbeat). */
  'worker:heartbeat': () => void;
  'job:claim': (ack: (job: Job | null) => void) => void;
  'job:take': (msg: z.infer<typeof workerTakeSchema>, ack: (job: Job | null) => void) => void;
  'run:metrics': (msg: z.infer<typeof workerMetricsSchema>) => void;
  'run:log': (msg: z.infer<typeof workerLogSchema>) => void;
  'run:progress': (msg: z.infer<typeof workerProgressSchema>) => void;
  'run:image': (msg: z.infer<typeof workerImageSchema>) => void;
  'run:complete': (msg: z.infer<typeof workerCompleteSchema>, ack: (ok: boolean) => void) => void;
  'run:fail': (msg: z.infer<typeof workerFailSchema>, ack: (ok: boolean) => void) => void;
  /** Before a run saves its resume state: the points and images of the steps it covers are stored. */
  'run:sync': (msg: z.infer<typeof workerSyncSchema>, ack: (ok: boolean) => void) => void;
}
export interface ServerToWorkerEvents {
  'jobs:available': () => void;
  'run:cancel': (msg: { runId: string }) => void;
  /** An admin drained the worker (it finishes what it holds and takes nothing new) or undid it. */
  'worker:drain': (msg: { drained: boolean }) => void;
  /** An admin removed the worker: it is disconnected next and should not come back by itself. */
  'worker:removed': (msg: { by: string }) => void;
}

// ---- browser <-> server ("/" namespace) ----
export const subscribeSchema = z.object({ runId });

/** The row a browser shows for a run; sent whole on every change. */
export interface RunView {
  id: string;
  model: RunModel;
  preset: PresetName;
  seed: number;
  trainData: TrainDataKind;
  /** Generators: the class they learn. */
  imageClass: ImageClass | null;
  datasetId: string;
  status: RunStatus;
  backend: string | null;
  workerId: string | null;
  progress: number;
  error: string | null;
  summary: RunSummary | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The name of the person who launched it (a study's steps: who started the study); null for
   * the command line, or a person since removed (then `launchedById` is still set). */
  launchedBy: string | null;
  /** Their id (the runs list filters by it); null for the command line. */
  launchedById: string | null;
  /** Times a worker took it; more than one when a lost worker or server made it resume. */
  attempts: number;
  /** Why each earlier attempt ended. */
  attemptErrors: string[];
}

/** Presence and comment events are declared with their contracts (presence.ts, comments.ts). */
export interface ServerToBrowserEvents extends PresenceToBrowserEvents, CommentsToBrowserEvents {
  'run:updated': (run: RunView) => void;
  /** Runs deleted (with their study or dataset, or on their own): lists drop them. */
  'runs:deleted': (msg: { runIds: string[] }) => void;
  'run:metrics': (msg: { runId: string; points: StoredMetricPoint[] }) => void;
  'run:log': (msg: { runId: string; level: string; message: string; ts: number }) => void;
  'run:image': (msg: { runId: string; image: RunImageView }) => void;
  /** A run taken up again drops its points and images after `step` (-1: all): it trains them again. */
  'run:rewound': (msg: { runId: string; step: number }) => void;
  'results:updated': () => void;
  'datasets:updated': () => void;
  'activity:updated': () => void;
  /** A worker connected, left, was drained, resumed or removed: the Workers page reloads. */
  'workers:updated': () => void;
  'study:updated': (msg: { studyId: string }) => void;
  'import:progress': (msg: { importId: string; phase: string; done: number; total: number }) => void;
}
export interface BrowserToServerEvents extends PresenceFromBrowserEvents {
  'run:subscribe': (msg: { runId: string }, ack?: (ok: boolean) => void) => void;
  'run:unsubscribe': (msg: { runId: string }) => void;
}
