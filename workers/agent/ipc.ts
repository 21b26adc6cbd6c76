// Messages between a worker agent and the child process that trains one run for it. The agent
// keeps the socket, the queue's lock and the uploads; the child only trains, so a long stretch of
// synchronous tensor work never delays a heartbeat or a lock renewal.
import { z } from 'zod';
import { jobSchema, metricPointSchema, workerCompleteSchema } from '../../lib/contracts/events';

export const toChildSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), job: jobSchema, threads: z.number().int().min(1) }),
  z.object({ type: z.literal('cancel') }),
  /** The answer to a child's `sync` or `saved` request. */
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.boolean(), error: z.string().optional() }),
]);
export type ToChild = z.infer<typeof toChildSchema>;

export const fromChildSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), backend: z.string() }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  z.object({ type: z.literal('metrics'), points: z.array(metricPointSchema) }),
  z.object({ type: z.literal('progress'), epoch: z.number(), step: z.number().int(), totalSteps: z.number().int() }),
  z.object({ type: z.literal('image'), step: z.number().int(), kind: z.enum(['samples', 'real', 'heatmap']), png: z.instanceof(Uint8Array) }),
  /** Before saving an epoch's state (`sync`) and after (`saved`): answered by a `reply`. */
  z.object({ type: z.literal('request'), id: z.number().int(), what: z.enum(['sync', 'saved']) }),
  z.object({ type: z.literal('complete'), outcome: workerCompleteSchema.omit({ runId: true }) }),
  z.object({ type: z.literal('fail'), error: z.string(), stopped: z.boolean() }),
]);
export type FromChild = z.infer<typeof fromChildSchema>;
