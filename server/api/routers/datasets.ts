// Datasets: the versions a run can train on, with their splits and import report; synthesis
// (within the queue cap and the free space) and deletion.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { createRouter, editorProcedure, viewerProcedure } from '../trpc';
import { launcherId } from '../../auth/actor';
import { getDataset, listDatasets, type DatasetRow } from '../../../db/queries/datasets';
import type { ReportEntry } from '../../../workers/data/import/process';
import { getRun, runView } from '../../../db/queries/runs';
import { idSchema } from '../../../lib/contracts/run-config';
import { generatorCheckpoints, planSynthesis, SynthesisError, synthesizeInputSchema } from '../../datasets/synthesize';
import type { QualityFile } from '../../../lib/contracts/quality';
import { checkLaunchLimits, runNeedsBytes } from '../../services/limits';
import { deletionProcedures } from '../deletion-procedures';

const sizes = (s: { train: number[]; val: number[]; test: number[] } | null) => s && { train: s.train.length, val: s.val.length, test: s.test.length };

function summary(d: DatasetRow, defaultId: string, dataDir: string) {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    source: d.source,
    imageSize: d.imageSize,
    count: d.count,
    classCounts: d.classCounts,
    duplicateGroups: d.duplicateGroups,
    splitSizes: sizes(d.splits)!,
    anomalySplitSizes: sizes(d.anomalySplits),
    contentHash: d.contentHash,
    createdAt: d.createdAt,
    isDefault: d.id === defaultId,
    lineage: d.lineage,
    quality: d.kind === 'synthetic' ? (readQuality(path.join(dataDir, d.dir))?.headline ?? null) : null,
  };
}

export const datasetsRouter = createRouter({
  list: viewerProcedure.query(({ ctx }) => listDatasets(ctx.db).map((d) => summary(d, ctx.defaultDatasetId, ctx.dataDir))),

  get: viewerProcedure.input(z.object({ id: z.string().min(1).max(64) })).query(({ ctx, input }) => {
    const d = getDataset(ctx.db, input.id);
    if (!d) throw new TRPCError({ code: 'NOT_FOUND', message: `No dataset with id ${input.id}.` });
    const reportFile = path.join(ctx.dataDir, d.dir, 'report.json');
    const report: ReportEntry[] = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : [];
    return {
      ...summary(d, ctx.defaultDatasetId, ctx.dataDir),
      skipped: report.filter((r) => r.status === 'skipped'),
      duplicates: report.filter((r) => r.duplicateOf).slice(0, 200),
      duplicateCount: report.filter((r) => r.duplicateOf).length,
      report: readQuality(path.join(ctx.dataDir, d.dir)),
    };
  }),

  /** A generator run's kept checkpoints, its quality curve on validation (FID by epoch) and the
   * checkpoint a synthesis takes by default, for the synthesis form. */
  generatorCheckpoints: viewerProcedure.input(z.object({ runId: idSchema })).query(({ ctx, input }) => {
    if (!getRun(ctx.db, input.runId)) throw new TRPCError({ code: 'NOT_FOUND', message: `No run with id ${input.runId}.` });
    return generatorCheckpoints(ctx.dataDir, input.runId);
  }),

  /** Launches a synthesis run: N images per class from generator checkpoints into a new
   * synthetic dataset version with its quality and privacy report. */
  synthesize: editorProcedure.input(synthesizeInputSchema).mutation(async ({ ctx, input }) => {
    try {
      const config = planSynthesis(ctx.db, ctx.dataDir, input);
      checkLaunchLimits(ctx.db, ctx.dataDir, ctx.limits, launcherId(ctx.actor), 1, runNeedsBytes(config));
      const row = await ctx.runs.launch(config, ctx.origin, { launchedBy: launcherId(ctx.actor) });
      ctx.activity.recordRun(launcherId(ctx.actor), 'synthesised', row);
      return runView(ctx.db, row);
    } catch (err) {
      if (err instanceof SynthesisError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
      throw err;
    }
  }),

  ...deletionProcedures('dataset'),
});

function readQuality(dir: string): QualityFile | null {
  const file = path.join(dir, 'quality.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as QualityFile) : null;
}
