// The SQLite schema (drizzle). The server process is the only writer; workers report over
// socket.io. Large data (image tensors, PNGs, checkpoints) lives in files under DATA_DIR.
import { sqliteTable, text, integer, real, index } from 'drizzle-orm/sqlite-core';
import { metricNames } from '../lib/contracts/metrics';
import { presetNames, trainDataKinds, type RunConfig } from '../lib/contracts/run-config';
import { runKinds, runModels, runStatuses, type DatasetLineage, type RunSummary } from '../lib/contracts/events';
import type { StepSpec, StudyLaunch } from '../lib/contracts/study';

export const datasets = sqliteTable('datasets', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  kind: text('kind', { enum: ['demo', 'imported', 'synthetic'] }).notNull(),
  contentHash: text('content_hash').notNull(),
  imageSize: integer('image_size').notNull(),
  count: integer('count').notNull(),
  /** Labelled images per class; `unlabelled` counts Br35H-style pred/ images (inference only). */
  classCounts: text('class_counts', { mode: 'json' }).$type<{ healthy: number; tumor: number; unlabelled?: number }>().notNull(),
  /** Where it came from: a folder, a zip, a NIfTI volume, or the demo generator. */
  source: text('source'),
  /** Number of near-duplicate groups with more than one image (grouped before splitting). */
  duplicateGroups: integer('duplicate_groups').notNull().default(0),
  /** Folder relative to DATA_DIR holding images.u8, labels.u8 and meta.json. */
  dir: text('dir').notNull(),
  /** Classifier split (70/20/10, stratified), as index lists into the dataset. */
  splits: text('splits', { mode: 'json' }).$type<{ seed: number; train: number[]; val: number[]; test: number[] }>().notNull(),
  /** Anomaly-detector split (paper 5.2): train on 75% of the healthy images; val/test mixed. */
  anomalySplits: text('anomaly_splits', { mode: 'json' }).$type<{ seed: number; train: number[]; val: number[]; test: number[] }>(),
  /** For generated datasets: the run, checkpoint and seed that made it. */
  lineage: text('lineage', { mode: 'json' }).$type<DatasetLineage>(),
  createdAt: integer('created_at').notNull(),
});

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: runKinds }).notNull(),
    model: text('model', { enum: runModels }).notNull(),
    preset: text('preset', { enum: presetNames }).notNull(),
    seed: integer('seed').notNull(),
    trainData: text('train_data', { enum: trainDataKinds }).notNull(),
    datasetId: text('dataset_id').notNull().references(() => datasets.id),
    config: text('config', { mode: 'json' }).$type<RunConfig>().notNull(),
    status: text('status', { enum: runStatuses }).notNull(),
    /** Which server instance may hand this run out (the dashboard, or one CLI invocation). */
    origin: text('origin').notNull(),
    /** Claimed first when higher: a study step that others wait on (generators, synthesis). */
    priority: integer('priority').notNull().default(0),
    /** Who launched it (null: the command line on this machine, or a study's own step). */
    launchedBy: text('launched_by'),
    backend: text('backend'),
    workerId: text('worker_id'),
    /** While running: until when (ms) the worker's claim holds; its messages extend it. */
    leaseUntil: integer('lease_until'),
    /** Times a worker took it (a run taken up again after its worker or server was lost counts
     * again), and why each earlier attempt ended. */
    attempts: integer('attempts').notNull().default(0),
    attemptErrors: text('attempt_errors', { mode: 'json' }).$type<string[]>().notNull().default([]),
    progress: real('progress').notNull().default(0),
    error: text('error'),
    summary: text('summary', { mode: 'json' }).$type<RunSummary>(),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('runs_status_idx').on(t.status, t.createdAt)],
);
export type RunRow = typeof runs.$inferSelect;

export const metricPoints = sqliteTable(
  'metric_points',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    epoch: real('epoch').notNull(),
    name: text('name', { enum: metricNames }).notNull(),
    value: real('value').notNull(),
  },
  (t) => [index('metric_points_run_idx').on(t.runId, t.id)],
);

export const runLogs = sqliteTable(
  'run_logs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    ts: integer('ts').notNull(),
    level: text('level').notNull(),
    message: text('message').notNull(),
  },
  (t) => [index('run_logs_run_idx').on(t.runId, t.id)],
);

/** Images a run produced (sample grids, heat maps), stored as PNG files under DATA_DIR. */
export const runImages = sqliteTable('run_images', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
  step: integer('step').notNull(),
  kind: text('kind').notNull(),
  file: text('file').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** Every cell of the comparison table: one metric of one finished classifier run. */
export const results = sqliteTable(
  'results',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    datasetId: text('dataset_id').notNull(),
    model: text('model').notNull(),
    technique: text('technique').notNull(),
    trainData: text('train_data').notNull(),
    seed: integer('seed').notNull(),
    metric: text('metric').notNull(),
    value: real('value').notNull(),
  },
  (t) => [index('results_cell_idx').on(t.model, t.technique, t.trainData, t.metric)],
);

export const workers = sqliteTable('workers', {
  id: text('id').primaryKey(),
  pid: integer('pid').notNull(),
  host: text('host').notNull(),
  backend: text('backend').notNull(),
  connectedAt: integer('connected_at').notNull(),
  lastSeen: integer('last_seen').notNull(),
  disconnectedAt: integer('disconnected_at'),
  /** What the worker reported in its hello (null: a worker older than capability reports). */
  device: text('device'),
  gpu: integer('gpu', { mode: 'boolean' }).notNull().default(false),
  memoryMb: integer('memory_mb'),
  threads: integer('threads'),
  concurrency: integer('concurrency'),
  kind: text('kind', { enum: ['local', 'agent'] }).notNull().default('local'),
  /** Since when an admin drained it (it takes no new run); kept across its reconnects. */
  drainedAt: integer('drained_at'),
});

/** A study: a named matrix of runs (a template such as the paper's Table 1) run as a DAG. */
export const studies = sqliteTable('studies', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  template: text('template').notNull(),
  preset: text('preset').notNull(),
  seeds: text('seeds', { mode: 'json' }).$type<number[]>().notNull(),
  datasetId: text('dataset_id').notNull().references(() => datasets.id),
  /** The launch request, as validated. */
  spec: text('spec', { mode: 'json' }).$type<StudyLaunch>().notNull(),
  origin: text('origin').notNull(),
  /** Who started it (null: the command line on this machine). */
  launchedBy: text('launched_by'),
  cancelled: integer('cancelled', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
});

/** One step of a study's DAG: what to launch once the steps it depends on have succeeded. Its
 * state follows its run (queued, running, succeeded, failed, cancelled), or is `waiting` (not
 * launched yet) or `blocked` (something it needs failed). */
export const studyNodes = sqliteTable(
  'study_nodes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    studyId: text('study_id').notNull().references(() => studies.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    spec: text('spec', { mode: 'json' }).$type<StepSpec>().notNull(),
    dependsOn: text('depends_on', { mode: 'json' }).$type<string[]>().notNull(),
    state: text('state', { enum: ['waiting', 'launched', 'blocked'] }).notNull(),
    runId: text('run_id'),
    /** The run was an identical succeeded run found when the node became ready (not re-trained). */
    reused: integer('reused', { mode: 'boolean' }).notNull().default(false),
    attempts: integer('attempts').notNull().default(0),
    blockedBy: text('blocked_by'),
  },
  (t) => [index('study_nodes_study_idx').on(t.studyId), index('study_nodes_run_idx').on(t.runId)],
);
