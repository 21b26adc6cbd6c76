// Studies: list, read (DAG state and table), launch from a template (every step counted against
// the queue cap, and their files against the free space), retry, cancel, delete; launches,
// retries, cancels and deletions go into the activity log.
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { createRouter, editorProcedure, viewerProcedure } from '../trpc';
import { launcherId } from '../../auth/actor';
import { studyLaunchSchema } from '../../../lib/contracts/study';
import { StudyError, type StudyManager } from '../../studies/manager';
import { studySummary } from '../../services/activity-summary';
import { checkLaunchLimits, stepsNeedBytes } from '../../services/limits';
import { deletionProcedures } from '../deletion-procedures';

const idInput = z.object({ id: z.string().min(1).max(64) });

async function asBadRequest<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StudyError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
    throw err;
  }
}

/** The study's name (what its activity entries say); NOT_FOUND for an unknown id. */
function nameOf(studies: StudyManager, id: string): string {
  const view = studies.view(id, { withTable: false });
  if (!view) throw new TRPCError({ code: 'NOT_FOUND', message: `No study with id ${id}.` });
  return view.name;
}

export const studiesRouter = createRouter({
  list: viewerProcedure.query(({ ctx }) => ctx.studies.list().map(({ table: _table, nodes: _nodes, sweep: _sweep, ...rest }) => rest)),
  get: viewerProcedure.input(idInput).query(({ ctx, input }) => {
    const view = ctx.studies.view(input.id);
    if (!view) throw new TRPCError({ code: 'NOT_FOUND', message: `No study with id ${input.id}.` });
    return view;
  }),
  launch: editorProcedure.input(studyLaunchSchema).mutation(({ ctx, input }) =>
    asBadRequest(async () => {
      const launchedBy = launcherId(ctx.actor);
      const study = await ctx.studies.create(input, ctx.defaultDatasetId, launchedBy, (plan) =>
        checkLaunchLimits(ctx.db, ctx.dataDir, ctx.limits, launchedBy, plan.length, stepsNeedBytes(plan.map((s) => s.spec))),
      );
      ctx.activity.record({ userId: launchedBy, action: 'launched', targetKind: 'study', targetId: study.id, summary: studySummary(study.name) });
      return study;
    }),
  ),
  retry: editorProcedure.input(idInput).mutation(({ ctx, input }) =>
    asBadRequest(async () => {
      const name = nameOf(ctx.studies, input.id);
      const relaunched = await ctx.studies.retry(input.id);
      ctx.activity.record({ userId: launcherId(ctx.actor), action: 'retried', targetKind: 'study', targetId: input.id, summary: studySummary(name, relaunched) });
      return { relaunched };
    }),
  ),
  cancel: editorProcedure.input(idInput).mutation(({ ctx, input }) =>
    asBadRequest(async () => {
      const name = nameOf(ctx.studies, input.id);
      await ctx.studies.cancel(input.id);
      ctx.activity.record({ userId: launcherId(ctx.actor), action: 'cancelled', targetKind: 'study', targetId: input.id, summary: studySummary(name) });
    }),
  ),
  ...deletionProcedures('study'),
});
