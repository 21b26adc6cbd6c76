// tRPC setup, in three parts: the request context, the tRPC instance, and the procedures.
import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import type { Db } from '../../db/client';
import type { Scheduler } from '../scheduler/scheduler';
import type { Hub } from '../realtime/hub';
import type { StudyManager } from '../studies/manager';
import type { RunService } from '../services/runs';

// ---- 1. Context: the services every procedure may use ----
export interface AppServices {
  db: Db;
  dataDir: string;
  origin: string;
  defaultDatasetId: string;
  /** Launching and cancelling runs: the only way a procedure changes a run. */
  runs: RunService;
  scheduler: Scheduler;
  hub: Hub;
  studies: StudyManager;
}
export type Context = AppServices;

// ---- 2. Initialisation: validation errors reach the browser as a readable field list ----
const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const fields = cause instanceof ZodError ? cause.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`) : null;
    return { ...shape, data: { ...shape.data, fields } };
  },
});

// ---- 3. Procedures and routers ----
export const createRouter = t.router;
export const publicProcedure = t.procedure;
