// Studies: list, read (DAG state and table), launch from a template, retry, cancel.
import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { createRouter, editorProcedure, viewerProcedure } from '../trpc';
import { launcherId } from '../../auth/actor';
import { studyLaunchSchema } from '../../../lib/contracts/study';
import { StudyError } from '../../studies/manager';

const idInput = z.object({ id: z.string().min(1).max(64) });

async function asBadRequest<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StudyError) throw new TRPCError({ code: 'BAD_REQUEST', message: err.message });
    throw err;
  }
}

export const studiesRouter = createRouter({
  list: viewerProcedure.query(({ ctx }) => ctx.studies.list().map(({ table: _table, nodes: _nodes, sweep: _sweep, ...rest }) => rest)),
  get: viewerProcedure.input(idInput).query(({ ctx, input }) => {
    const view = ctx.studies.view(input.id);
    if (!view) throw new TRPCError({ code: 'NOT_FOUND', message: `No study with id ${input.id}.` });
    return view;
  }),
  launch: editorProcedure.input(studyLaunchSchema).mutation(({ ctx, input }) => asBadRequest(() => ctx.studies.create(input, ctx.defaultDatasetId, launcherId(ctx.actor)))),
  retry: editorProcedure.input(idInput).mutation(({ ctx, input }) => asBadRequest(async () => ({ relaunched: await ctx.studies.retry(input.id) }))),
  cancel: editorProcedure.input(idInput).mutation(({ ctx, input }) => asBadRequest(() => ctx.studies.cancel(input.id))),
});
