// The activity log: who did what and when, newest first, one person's or everyone's, paged back
// by id. Every signed-in person may read it; entries are written where each change is made.
import { z } from 'zod';
import { createRouter, viewerProcedure } from '../trpc';

/** The most entries one call returns; a larger `limit` is cut down to it. */
export const ACTIVITY_PAGE_MAX = 100;

const listInput = z
  .object({
    limit: z.number().int().min(1).default(50).transform((n) => Math.min(n, ACTIVITY_PAGE_MAX)),
    /** Only this person's entries. */
    userId: z.string().min(1).max(64).optional(),
    /** Only entries older than this one (the last entry of the page already shown). */
    beforeId: z.number().int().min(1).optional(),
  })
  .default({ limit: 50 });

export const activityRouter = createRouter({
  list: viewerProcedure.input(listInput).query(({ ctx, input }) => ctx.activity.list(input)),

  /** The people who appear in the log (the page's filter). */
  people: viewerProcedure.query(({ ctx }) => ctx.activity.people()),
});
