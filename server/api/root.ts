// The app router: every domain router is registered here.
import { createRouter } from './trpc';
import { runsRouter } from './routers/runs';
import { datasetsRouter } from './routers/datasets';
import { resultsRouter } from './routers/results';
import { studiesRouter } from './routers/studies';

export const appRouter = createRouter({
  runs: runsRouter,
  datasets: datasetsRouter,
  results: resultsRouter,
  studies: studiesRouter,
});

export type AppRouter = typeof appRouter;
