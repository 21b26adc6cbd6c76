// Results: the comparison table (rows = model + technique, columns = train data).
import { createRouter, viewerProcedure } from '../trpc';
import { currentResults } from '../../results/current';
import { summarizeCells } from '../../../lib/stats/table';

export const resultsRouter = createRouter({
  table: viewerProcedure.query(({ ctx }) => summarizeCells(currentResults(ctx.db))),
});
