// Team mode's queue in Redis (BullMQ), as the server and the worker agents both name it. The
// queue carries tickets, not runs: a ticket names a run and the attempt it is for, and the agent
// that draws one asks the server for the job (`job:take`), which the database grants once.
import { z } from 'zod';

/** Tickets any worker may draw, and those for GPU workers (runs that require one, and
 * paper-preset runs while a GPU worker is attached). GPU agents draw from both. */
export const TEAM_QUEUES = { any: 'runs', gpu: 'runs-gpu' } as const;
/** Key prefix in Redis: one Redis may serve several dashboards, each with its own prefix. */
export const DEFAULT_QUEUE_PREFIX = 'mri';

export const ticketSchema = z.object({ runId: z.string().min(1).max(64), attempt: z.number().int().min(1).max(1000) });
export type Ticket = z.infer<typeof ticketSchema>;

/** A ticket's job id: one per run and attempt, so issuing it twice adds it once. */
export const ticketId = (t: Ticket) => `${t.runId}.${t.attempt}`;
export function parseTicketId(id: string | undefined): Ticket | null {
  const m = /^(.+)\.(\d+)$/.exec(id ?? '');
  return m ? { runId: m[1], attempt: Number(m[2]) } : null;
}

/** The lock an agent holds on a ticket while its run trains, renewed every half of it by the
 * agent's own event loop (training runs in a child process, so renewals are never late). */
export const TICKET_LOCK_MS = 60_000;
/** How often workers look for tickets whose lock lapsed (a lost agent). */
export const TICKET_STALLED_CHECK_MS = 30_000;
