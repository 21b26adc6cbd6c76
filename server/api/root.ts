// The app router: every domain router is registered here.
import { createRouter } from './trpc';
import { runsRouter } from './routers/runs';
import { datasetsRouter } from './routers/datasets';
import { resultsRouter } from './routers/results';

export const appRouter = createRouter({
  runs: runsRouter,
  datasets: datasetsRouter,
  results: resultsRouter,
});

export type AppRouter = typeof appRouter;
