// Runs: list (optionally one person's), read (with metric history and logs), who launched runs,
// launch (within the queue cap and the free space), cancel and delete; launches, cancels and
// deletions go into the activity log.
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { createRouter, editorProcedure, viewerProcedure } from '../trpc';
import { launcherId } from '../../auth/actor';
import { launchInputSchema, resolveRunConfig, type ClassifierConfig } from '../../../lib/contracts/run-config';
import { getRun, listLaunchers, listRuns, runView, runViews } from '../../../db/queries/runs';
import { listLogs, listMetricPoints, listRunImages } from '../../../db/queries/metrics';
import { getDataset, type DatasetRow } from '../../../db/queries/datasets';
import { checkLaunchLimits, runNeedsBytes } from '../../services/limits';
import { deletionProcedures } from '../deletion-procedures';

/** Why a classifier's synthetic training data cannot be used, or null. */
function syntheticProblem(config: ClassifierConfig, synthetic: DatasetRow | undefined): string | null {
  if (config.trainData === 'real') return null;
  if (!synthetic) return `Synthetic dataset ${config.syntheticDatasetId} does not exist; generate one on the datasets page.`;
  if (synthetic.kind !== 'synthetic') return `${synthetic.name} is a ${synthetic.kind} dataset, not a synthetic one.`;
  if (config.model === 'cvae' && synthetic.classCounts.healthy === 0) return `${synthetic.name} has no healthy images; the CVAE trains on healthy images only.`;
  if (config.model === 'cnn' && config.trainData === 'synthetic' && (synthetic.classCounts.healthy === 0 || synthetic.classCounts.tumor === 0)) {
    return `${synthetic.name} holds only one class; a classifier trained only on it needs tumour and healthy images (use mixed, or generate both classes).`;
  }
  return null;
}

const runIdInput = z.object({ id: z.string().min(1).max(64) });
/** `launchedBy`: a person's id, or null for what the command line launched. */
const listInput = z.object({ launchedBy: z.string().min(1).max(64).nullable().optional() }).default({});

export const runsRouter = createRouter({
  list: viewerProcedure.input(listInput).query(({ ctx, input }) => runViews(ctx.db, listRuns(ctx.db, 200, input.launchedBy))),

  /** Everyone who launched a run (for the runs list's filter), and whether the command line did. */
  launchers: viewerProcedure.query(({ ctx }) => listLaunchers(ctx.db)),

  get: viewerProcedure.input(runIdInput).query(({ ctx, input }) => {
    const row = getRun(ctx.db, input.id);
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: `No run with id ${input.id}.` });
    return { run: runView(ctx.db, row), config: row.config, logs: listLogs(ctx.db, row.id), images: listRunImages(ctx.db, row.id) };
  }),

  metrics: viewerProcedure
    .input(z.object({ id: z.string().min(1).max(64), afterId: z.number().int().min(0).default(0) }))
    .query(({ ctx, input }) => listMetricPoints(ctx.db, input.id, input.afterId)),

  launch: editorProcedure.input(launchInputSchema).mutation(async ({ ctx, input }) => {
    const config = resolveRunConfig(input, ctx.defaultDatasetId);
    if (!getDataset(ctx.db, config.datasetId)) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: `Dataset ${config.datasetId} does not exist; pick one from the datasets list.` });
    }
    if (config.model === 'cnn' || config.model === 'cvae') {
      const problem = syntheticProblem(config, config.syntheticDatasetId ? getDataset(ctx.db, config.syntheticDatasetId) : undefined);
      if (problem) throw new TRPCError({ code: 'BAD_REQUEST', message: problem });
    }
    checkLaunchLimits(ctx.db, ctx.dataDir, ctx.limits, launcherId(ctx.actor), 1, runNeedsBytes(config));
    const row = await ctx.runs.launch(config, ctx.origin, { launchedBy: launcherId(ctx.actor) });
    ctx.activity.recordRun(launcherId(ctx.actor), 'launched', row);
    return runView(ctx.db, row);
  }),

  cancel: editorProcedure.input(runIdInput).mutation(async ({ ctx, input }) => {
    if (!getRun(ctx.db, input.id)) throw new TRPCError({ code: 'NOT_FOUND', message: `No run with id ${input.id}.` });
    const row = await ctx.runs.cancel(input.id);
    if (!row) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Only a queued or running run can be cancelled.' });
    ctx.activity.recordRun(launcherId(ctx.actor), 'cancelled', row);
    return runView(ctx.db, row);
  }),

  ...deletionProcedures('run'),
});
