// Results: the comparison table (rows = model + technique, columns = train data).
import { createRouter, viewerProcedure } from '../trpc';
import { currentResults } from '../../results/current';
import { resultsTable } from '../../results/table';

export const resultsRouter = createRouter({
  table: viewerProcedure.query(({ ctx }) => resultsTable(ctx.db, currentResults(ctx.db))),
});
