// The app router: every domain router is registered here.
import { createRouter } from './trpc';
import { runsRouter } from './routers/runs';
import { datasetsRouter } from './routers/datasets';
import { resultsRouter } from './routers/results';
import { studiesRouter } from './routers/studies';
import { peopleRouter } from './routers/people';
import { invitesRouter } from './routers/invites';
import { activityRouter } from './routers/activity';
import { tokensRouter } from './routers/tokens';
import { workerTokensRouter } from './routers/worker-tokens';
import { commentsRouter } from './routers/comments';
import { workersRouter } from './routers/workers';

export const appRouter = createRouter({
  runs: runsRouter,
  datasets: datasetsRouter,
  results: resultsRouter,
  studies: studiesRouter,
  people: peopleRouter,
  invites: invitesRouter,
  activity: activityRouter,
  tokens: tokensRouter,
  workerTokens: workerTokensRouter,
  comments: commentsRouter,
  workers: workersRouter,
});

export type AppRouter = typeof appRouter;
