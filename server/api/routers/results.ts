// Results: the comparison table (rows = model + technique, columns = train data).
import { createRouter, publicProcedure } from '../trpc';
import { listResults } from '../../../db/queries/results';
import { summarizeCells } from '../../results/table';

export const resultsRouter = createRouter({
  table: publicProcedure.query(({ ctx }) => summarizeCells(listResults(ctx.db))),
});
