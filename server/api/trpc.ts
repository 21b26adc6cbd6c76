// tRPC setup, in three parts: the request context (the services and who is asking), the tRPC
// instance, and the procedures by role.
import { initTRPC, TRPCError } from '@trpc/server';
import type { Db } from '../../db/client';
import type { Scheduler } from '../scheduler/scheduler';
import type { Hub } from '../realtime/hub';
import type { StudyManager } from '../studies/manager';
import type { RunService } from '../services/runs';
import type { ActivityLog } from '../services/activity';
import type { DeletionService } from '../services/deletion';
import type { WorkerRegistry } from '../services/workers';
import type { Limits } from '../services/limits';
import type { Auth } from '../auth/auth';
import { roleAllows, type Actor, type Role } from '../../lib/contracts/team';
import { fieldProblems, invalidInputMessage, safeMessage, thrownZodError, toClientError, TOO_LARGE_MESSAGE } from './errors';

// ---- 1. Context: the services every procedure may use, and the actor ----
export interface AppServices {
  db: Db;
  dataDir: string;
  origin: string;
  defaultDatasetId: string;
  /** Launching and cancelling runs: the only way a procedure changes a run. */
  runs: RunService;
  /** Who did what: every change a person makes is recorded here. */
  activity: ActivityLog;
  scheduler: Scheduler;
  hub: Hub;
  /** The workers table: what each worker reported, whether it is drained. */
  workers: WorkerRegistry;
  studies: StudyManager;
  auth: Auth;
  /** Where people open the dashboard (invitation links start with it). */
  publicUrl: string;
  /** Largest file in an upload, in bytes (UPLOAD_MAX_FILE_MB). */
  uploadMaxFileBytes: number;
  /** Deleting runs, studies and datasets with what depends on them and their files. */
  deletions: DeletionService;
  /** MIN_FREE_MB and MAX_QUEUED_PER_USER, checked where work or files are added. */
  limits: Limits;
  /** How runs reach workers: this server's SQLite queue, or BullMQ on Redis (team mode; the URL
   * without its password). */
  dispatch: { mode: 'embedded'; localWorkers: number } | { mode: 'team'; redis: string; localWorkers: number };
  /** The server log (failures a client sees only by their error id). */
  log: (line: string) => void;
}
export interface Context extends AppServices {
  /** Who is asking: a signed-in person, the command line's system actor, or nobody. */
  actor: Actor | null;
  /** What a 401 says when there is no actor (a refused API token); by default, to sign in. */
  refusal?: string;
  /** Adds Set-Cookie headers to the HTTP response (signing in a person who just joined). */
  setCookies: (cookies: string[]) => void;
}

// ---- 2. Initialisation: validation errors reach the browser as a readable field list ----
const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const zod = error.code === 'BAD_REQUEST' ? thrownZodError(error.cause) : null;
    const fields = zod ? fieldProblems(zod) : null;
    const message = zod ? invalidInputMessage(zod) : error.code === 'PAYLOAD_TOO_LARGE' ? TOO_LARGE_MESSAGE : safeMessage(error);
    return { ...shape, message, data: { ...shape.data, stack: undefined, path: undefined, fields } };
  },
});

// ---- 3. Procedures and routers ----
export const createRouter = t.router;

/** Every procedure's boundary: see server/api/errors.ts. */
const boundary = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toClientError(result.error);
  return result;
});
const procedure = t.procedure.use(boundary);

const requireRole = (needed: Role) =>
  t.middleware(({ ctx, next }) => {
    const { actor } = ctx;
    if (!actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.refusal ?? 'Sign in first: your session is missing or has ended.' });
    if (!roleAllows(actor.role, needed)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${needed} role; you are a ${actor.role}. Ask an admin to change your role.` });
    }
    return next({ ctx: { ...ctx, actor } });
  });

/** Reading anything, and what viewers may do. */
export const viewerProcedure = procedure.use(requireRole('viewer'));
/** Launching, cancelling, retrying, importing, synthesising, running studies. */
export const editorProcedure = procedure.use(requireRole('editor'));
/** People, roles, worker tokens; deleting what others launched (server/services/deletion.ts). */
export const adminProcedure = procedure.use(requireRole('admin'));
/** Without a session: only what a person holding an invitation link does to join
 * (server/api/routers/invites.ts). Not for anything else. */
export const invitationProcedure = procedure;
