// Environment variables, validated once at start-up so a bad value fails loudly and clearly.
import { z } from 'zod';
import path from 'node:path';
import os from 'node:os';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  /** Local worker processes the scheduler may run at once. The wasm and cpu backends train on one
   * thread each, so independent runs side by side use the machine: one worker per core. With a
   * native (multi-threaded) or GPU backend set this to 1 per GPU. */
  MAX_WORKERS: z.coerce.number().int().min(0).max(64).default(os.availableParallelism()),
  /** Shared secret workers present on the "/workers" namespace; generated when unset. */
  WORKER_TOKEN: z.string().min(16).optional(),
  /** Images per class of the embedded demo dataset made on first start. */
  DEMO_PER_CLASS: z.coerce.number().int().min(10).max(5000).default(1500),
  TFJS_BACKEND: z.enum(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).optional(),
  /** Threads a BrainCNN run splits its batches over (data-parallel) on wasm or cpu. Unset: the
   * cores divided by the runs training at once when it starts (2 for a run alone here). */
  TRAIN_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /** The address people open the dashboard at (https://… behind a TLS proxy). Required when HOST
   * is not a loopback address; its host is the only one requests may name (DNS rebinding). */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, such as https://lab.example.org' })
    .refine((u) => { const url = new URL(u); return (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username; }, 'must be the bare origin (scheme, host and optional port), with no path, query or user name')
    .transform((u) => new URL(u).origin)
    .optional(),
  /** Threads an import decodes and preprocesses on (read by the import process,
   * workers/data/import/decode-pool.ts); unset: the cores, at most 8. */
  IMPORT_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /** Largest file in an upload, in MiB (an upload past it is refused with 413). */
  UPLOAD_MAX_FILE_MB: z.coerce.number().int().min(1).max(512).default(512),
  /** How long a worker's claim on a run holds without news from it (seconds). A run whose lease
   * runs out is queued again and resumes from its last epoch on the next free worker. */
  RUN_LEASE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  /** Times a run is taken by a worker before a lost worker or server fails it (each attempt
   * after the first resumes from the last saved epoch). */
  RUN_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** Runs one person may have waiting at once: queued runs plus the steps of their studies not
   * launched yet (the largest built-in study, Table 1 with 10 seeds and the sweep, is 126 runs).
   * The command line's own runs (no person) are not counted. */
  MAX_QUEUED_PER_USER: z.coerce.number().int().min(1).max(100_000).default(300),
  /** Space (MiB) that must stay free under DATA_DIR after an import, a synthesis or a run's
   * estimated files; a request that would eat into it is refused before anything is written. */
  MIN_FREE_MB: z.coerce.number().int().min(0).max(1e9).default(512),
  /** Team mode: runs are dispatched through BullMQ on this Redis (redis://host:port/db) to worker
   * agents anywhere (`npm run worker`); unset, the embedded SQLite queue and local workers. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379' }).optional(),
  /** Prefix of team mode's keys in Redis (one Redis can serve several dashboards). */
  REDIS_PREFIX: z.string().regex(/^[\w-]{1,32}$/).default('mri'),
  /** Largest bundle (checkpoint, resume state, staged dataset) an agent may upload, in MiB. */
  MAX_BUNDLE_MB: z.coerce.number().int().min(1).max(1_000_000).default(8192),
  /** Signs session cookies; generated once into DATA_DIR/auth-secret when unset. */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters (for example: openssl rand -hex 32)').optional(),
});
export type Env = z.infer<typeof envSchema>;

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  return { ...parsed.data, DATA_DIR: path.resolve(parsed.data.DATA_DIR) };
}
