// Datasets: the versions a run can train on.
import { createRouter, publicProcedure } from '../trpc';
import { listDatasets } from '../../../db/queries/datasets';

export const datasetsRouter = createRouter({
  list: publicProcedure.query(({ ctx }) =>
    listDatasets(ctx.db).map((d) => ({
      id: d.id,
      name: d.name,
      kind: d.kind,
      imageSize: d.imageSize,
      count: d.count,
      classCounts: d.classCounts,
      splitSizes: { train: d.splits.train.length, val: d.splits.val.length, test: d.splits.test.length },
      isDefault: d.id === ctx.defaultDatasetId,
    })),
  ),
});
