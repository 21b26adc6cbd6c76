// `--check`: can this machine train, and how fast? Loads the TensorFlow.js engine as a worker
// would, says which backends failed and why, describes the machine, then times one training step
// of the paper's BrainCNN (section 5.2) on seeded random images. For a GPU box where
// tfjs-node-gpu does not load, it names the CUDA and cuDNN that package needs.
import { parseArgs } from 'node:util';
import os from 'node:os';
import { z } from 'zod';
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { initEngine, type BackendChoice, type Engine } from '../engine/backend';
import { cnnConfigSchema, presetFor, revisionOf, type CnnConfig } from '../../lib/contracts/run-config';
import { cnnStepper } from '../train/cnn-trainer';
import { trainThreads } from '../parallel/threads';
import { describeMachine, cpuName } from './capabilities';

export const CHECK_SIZES = [32, 64, 128] as const;
export type CheckSize = (typeof CHECK_SIZES)[number];
const BATCH_SIZE = 8;
const SEED = 1;
/** What @tensorflow/tfjs-node-gpu 4.22 needs on the machine (its libtensorflow is 2.9.1). */
export const GPU_REQUIREMENTS = 'tfjs-node-gpu 4.22 loads libtensorflow 2.9.1, which needs CUDA 11.2 and cuDNN 8.1 (and an NVIDIA driver) on the library path';

export interface StepTiming {
  model: 'cnn';
  imageSize: CheckSize;
  batchSize: number;
  /** Threads the batch was split over (data-parallel on wasm and cpu, as a run alone would be). */
  threads: number;
  warmupMs: number;
  stepMs: number;
  msPerImage: number;
}

export interface CheckReport {
  ok: boolean;
  error?: string;
  /** null when no backend could be loaded. */
  backend: BackendChoice | null;
  device: string;
  gpu: boolean;
  memoryMb: number;
  threads: number;
  tried: { name: string; error?: string }[];
  step: StepTiming | null;
  /** Tensors left alive by the check (0 unless something leaks). */
  leakedTensors: number;
  tfjsVersion: string;
  node: string;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const log = (line: string) => console.error(`[check] ${line}`);

/** The paper preset's BrainCNN (width 1, dropout 0.5, Adam 1e-3) at a smaller image and batch. */
function checkConfig(imageSize: CheckSize): CnnConfig {
  return cnnConfigSchema.parse({ ...presetFor('cnn', 'paper'), model: 'cnn', preset: 'paper', seed: SEED, datasetId: 'check', trainData: 'real', imageSize, batchSize: BATCH_SIZE, ...revisionOf('cnn') });
}

/** Times one warm-up step (kernel compilation, helper threads starting) and one timed step. */
async function timeStep(engine: Engine, imageSize: CheckSize, threadsOverride: number | undefined): Promise<StepTiming> {
  const { tf } = engine;
  const config = checkConfig(imageSize);
  const threads = trainThreads({ backend: engine.backend, imageSize, concurrentRuns: 1, cores: os.availableParallelism(), override: threadsOverride });
  const xs = tf.randomUniform([BATCH_SIZE, imageSize, imageSize, 1], 0, 1, 'float32', SEED) as Tensor4D;
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: BATCH_SIZE }, (_, i) => i % 2), 'int32'), 2).toFloat()) as Tensor2D;
  log(`BrainCNN at ${imageSize}x${imageSize}, batch ${BATCH_SIZE}, ${threads} thread(s) on ${engine.backend}`);
  const stepper = await cnnStepper(config, { threads, backend: engine.backend }).catch((err) => {
    tf.dispose([xs, ys]);
    throw err;
  });
  try {
    const timed = async () => {
      const started = performance.now();
      const result = await stepper.step(xs, ys);
      if (!Number.isFinite(result.loss)) throw new Error(`the training step gave a loss of ${result.loss}`);
      return performance.now() - started;
    };
    const warmupMs = await timed();
    const stepMs = await timed();
    return { model: 'cnn', imageSize, batchSize: BATCH_SIZE, threads, warmupMs: round(warmupMs), stepMs: round(stepMs), msPerImage: round(stepMs / BATCH_SIZE) };
  } finally {
    await stepper.close();
    stepper.model.dispose();
    tf.dispose([xs, ys]);
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export async function runCheck(opts: { json: boolean; trainThreads?: number; imageSize?: CheckSize }): Promise<CheckReport> {
  const report = await check(opts.imageSize ?? 64, opts.trainThreads);
  if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatCheckReport(report));
  return report;
}

async function check(imageSize: CheckSize, trainThreadsOverride: number | undefined): Promise<CheckReport> {
  let engine: Engine;
  try {
    engine = await initEngine();
  } catch (err) {
    const { version } = await import('@tensorflow/tfjs');
    const machine = { device: cpuName(), gpu: false, memoryMb: Math.floor(os.totalmem() / 2 ** 20), threads: trainThreadsOverride ?? os.availableParallelism() };
    return { ok: false, error: message(err), backend: null, ...machine, tried: [], step: null, leakedTensors: 0, tfjsVersion: version.tfjs, node: process.version };
  }
  const { device, gpu, memoryMb, threads } = await describeMachine(engine, { concurrency: 1, kind: 'agent', threads: trainThreadsOverride });
  const before = engine.tf.memory().numTensors;
  let step: StepTiming | null = null;
  let error: string | undefined;
  try {
    step = await timeStep(engine, imageSize, trainThreadsOverride);
  } catch (err) {
    error = `the training step failed: ${message(err)}`;
  }
  const leakedTensors = engine.tf.memory().numTensors - before;
  if (error === undefined && leakedTensors !== 0) error = `${leakedTensors} tensor(s) were left alive after the step`;
  return { ok: error === undefined, ...(error ? { error } : {}), backend: engine.backend, device, gpu, memoryMb, threads, tried: engine.tried, step, leakedTensors, tfjsVersion: engine.tf.version.tfjs, node: process.version };
}

export function formatCheckReport(r: CheckReport): string {
  const lines = [`${r.ok ? 'OK' : 'FAILED'}: ${r.backend ? `backend ${r.backend}` : 'no backend loaded'} (TensorFlow.js ${r.tfjsVersion}, Node ${r.node})`];
  lines.push(`device: ${r.device}${r.gpu ? ' (GPU)' : ''}; memory ${(r.memoryMb / 1024).toFixed(1)} GB; ${r.threads} thread(s)`);
  for (const t of r.tried) lines.push(`  ${t.name}: ${t.error ? `not used: ${t.error}` : 'loaded'}`);
  if (r.backend !== 'tfjs-node-gpu') lines.push(`GPU: not used; ${GPU_REQUIREMENTS}.`);
  if (r.step) {
    const s = r.step;
    lines.push(`BrainCNN step at ${s.imageSize}x${s.imageSize}, batch ${s.batchSize}, ${s.threads} thread(s): ${s.stepMs.toFixed(1)} ms (${s.msPerImage.toFixed(1)} ms per image; warm-up ${s.warmupMs.toFixed(0)} ms)`);
  }
  if (r.leakedTensors !== 0) lines.push(`leaked tensors: ${r.leakedTensors}`);
  if (r.error) lines.push(`error: ${r.error}`);
  return `${lines.join('\n')}\n`;
}

const numberFlag = z.coerce.number({ error: 'must be a number' });
const argsSchema = z.object({
  json: z.boolean().default(false),
  threads: numberFlag.pipe(z.number().int('must be a whole number').min(1, 'must be at least 1').max(1024, 'must be at most 1024')).optional(),
  size: numberFlag
    .refine((n): n is CheckSize => (CHECK_SIZES as readonly number[]).includes(n), { error: (issue) => `must be one of ${CHECK_SIZES.join(', ')}, not ${String(issue.input)}` })
    .default(64),
});
/** The flags, for the agent's usage line. */
export const CHECK_USAGE = '--check [--json] [--threads N] [--size 32|64|128]';

/** Parses the check's flags, runs it and returns the exit code: 0 ok, 1 the check failed, 2 bad
 * arguments. `--check` itself may be among the flags, so the agent can pass its argv on whole. */
export async function checkMain(argv: string[]): Promise<number> {
  let args: z.infer<typeof argsSchema>;
  try {
    const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, json: { type: 'boolean' }, threads: { type: 'string' }, size: { type: 'string' } }, strict: true, allowPositionals: false });
    // The object schema drops --check.
    const parsed = argsSchema.safeParse(values);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')} ${i.message}`).join('; '));
    args = parsed.data;
  } catch (err) {
    console.error(`bad arguments: ${message(err)}\nusage: npm run worker -- ${CHECK_USAGE}`);
    return 2;
  }
  // In JSON mode stdout carries the one report; anything a library logs goes to stderr.
  const stdoutLog = console.log;
  if (args.json) console.log = console.error;
  try {
    const report = await runCheck({ json: args.json, trainThreads: args.threads, imageSize: args.size as CheckSize });
    if (!report.ok) console.error(`check failed: ${report.error}`);
    return report.ok ? 0 : 1;
  } finally {
    console.log = stdoutLog;
  }
}
