// The SQLite schema (drizzle). The server process is the only writer; workers report over
// socket.io. Large data (image tensors, PNGs, checkpoints) lives in files under DATA_DIR.
import { sqliteTable, text, integer, real, index } from 'drizzle-orm/sqlite-core';

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
  lineage: text('lineage', { mode: 'json' }).$type<Record<string, unknown>>(),
  createdAt: integer('created_at').notNull(),
});

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    model: text('model').notNull(),
    preset: text('preset').notNull(),
    seed: integer('seed').notNull(),
    trainData: text('train_data').notNull(),
    datasetId: text('dataset_id').notNull().references(() => datasets.id),
    config: text('config', { mode: 'json' }).notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] }).notNull(),
    /** Which server instance may hand this run out (the dashboard, or one CLI invocation). */
    origin: text('origin').notNull(),
    backend: text('backend'),
    workerId: text('worker_id'),
    progress: real('progress').notNull().default(0),
    error: text('error'),
    summary: text('summary', { mode: 'json' }),
    createdAt: integer('created_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('runs_status_idx').on(t.status, t.createdAt)],
);

export const metricPoints = sqliteTable(
  'metric_points',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    step: integer('step').notNull(),
    epoch: real('epoch').notNull(),
    name: text('name').notNull(),
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
});
