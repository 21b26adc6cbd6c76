// What a run needs to go on where it stopped: at the end of every epoch the epoch loop writes the
// weights of every model it trains (batch-norm statistics included), each optimiser's Adam state
// (step count and both moments, in the order of its trainable variables), the trainer's own
// bookkeeping (best epoch, kept checkpoints…) and any tensors that bookkeeping holds (the best
// weights so far). The shuffling RNG and the per-step noise, latents and dropout masks are
// functions of the seed and the step, so the epoch and step fix their position.
//
// On disk, under the run's artifacts folder: resume/epoch-NNNN/{state.bin,state.json} written
// whole, then resume/latest.json switched to it by rename, then older epochs removed, so a crash
// at any point leaves the previous complete state readable.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { OptimizerState } from '../parallel/replica';
import type { DataParallelTrainer } from '../parallel/data-parallel';

export type { OptimizerState };

/** A trainer whose state can be written and read back: its models and its optimisers. */
export interface Resumable {
  /** Every model trained, by role; all their weights are saved. */
  models: Record<string, tf.LayersModel>;
  exportOptimizers: () => Promise<OptimizerState[]>;
  /** After the models' weights are loaded: sets the optimisers and the per-step streams (noise,
   * dropout masks) to `step` steps taken. */
  importState: (optimizers: OptimizerState[], step: number) => Promise<void>;
}

export interface ResumePoint {
  epoch: number;
  step: number;
}

/** Where a run's resume state lives: under its artifacts folder (DATA_DIR/artifacts/<run>). */
export const resumeRoot = (artifacts: string) => path.join(artifacts, 'resume');

const entrySchema = z.object({ group: z.string(), name: z.string(), shape: z.array(z.number().int().min(0)), offset: z.number().int().min(0) });
const stateSchema = z.object({
  version: z.literal(1),
  epoch: z.number().int().min(1),
  step: z.number().int().min(0),
  optimizerSteps: z.array(z.number().int().min(0)),
  extra: z.unknown(),
  entries: z.array(entrySchema),
  bytes: z.number().int().min(0),
});
const latestSchema = z.object({ epoch: z.number().int().min(1), step: z.number().int().min(0), dir: z.string().regex(/^epoch-\d{4,}$/) });

const epochDir = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;

/** Removes every resume point under `root`, while its run's worker may still be writing the next
 * one (a cancel reaches the worker after the server drops the state). Removing the folder in place
 * then failed with ENOTEMPTY whenever the worker created a file during the removal (reproduced:
 * 190 of 300 removals beside a writer), which surfaced as a 500 on cancel. The folder is first
 * renamed aside in one step, so the removal works on a folder nothing writes into; a point the
 * worker writes afterwards starts a new folder, removed with the run. */
export function dropResumeState(root: string): void {
  const aside = `${root}.dropped-${process.pid}-${Date.now()}`;
  try {
    fs.renameSync(root, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

/** The newest complete resume point under `root`, or null. */
export function readResumePoint(root: string): ResumePoint | null {
  try {
    const latest = latestSchema.parse(JSON.parse(fs.readFileSync(path.join(root, 'latest.json'), 'utf8')));
    if (!fs.existsSync(path.join(root, latest.dir, 'state.json'))) return null;
    return { epoch: latest.epoch, step: latest.step };
  } catch {
    return null;
  }
}

/** A tensor's values as float32 without a second copy when they already are (model weights). */
const asFloat32 = (values: ArrayLike<number>): Float32Array => (values instanceof Float32Array ? values : Float32Array.from(values));

/** Writes the state after `point` (see the file's header for the order of writes). */
export async function saveResumeState(root: string, trainer: Resumable, point: ResumePoint, extra: { json: unknown; tensors?: Record<string, tf.Tensor[]> }): Promise<number> {
  const entries: z.infer<typeof entrySchema>[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  const add = (group: string, name: string, shape: number[], values: Float32Array) => {
    entries.push({ group, name, shape, offset });
    chunks.push(values);
    offset += values.length;
  };
  for (const [role, model] of Object.entries(trainer.models)) {
    for (const w of model.weights) add(`model:${role}`, w.originalName, w.shape as number[], asFloat32(await w.read().data()));
  }
  const optimizers = await trainer.exportOptimizers();
  optimizers.forEach((o, p) => {
    add(`adam:${p}`, 'm', [o.m.length], o.m);
    add(`adam:${p}`, 'v', [o.v.length], o.v);
  });
  for (const [key, tensors] of Object.entries(extra.tensors ?? {})) {
    for (const [i, t] of tensors.entries()) add(`tensors:${key}`, String(i), t.shape, asFloat32(await t.data()));
  }
  const state: z.infer<typeof stateSchema> = { version: 1, ...point, optimizerSteps: optimizers.map((o) => o.steps), extra: extra.json, entries, bytes: offset * 4 };
  const dir = epochDir(point.epoch);
  const tmp = path.join(root, `${dir}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const fd = fs.openSync(path.join(tmp, 'state.bin'), 'w');
  try {
    for (const c of chunks) fs.writeSync(fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(state));
  fs.rmSync(path.join(root, dir), { recursive: true, force: true });
  fs.renameSync(tmp, path.join(root, dir));
  const latestTmp = path.join(root, `latest.json.tmp-${process.pid}`);
  fs.writeFileSync(latestTmp, JSON.stringify({ ...point, dir }));
  fs.renameSync(latestTmp, path.join(root, 'latest.json'));
  for (const name of fs.readdirSync(root)) if (name !== dir && name.startsWith('epoch-')) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  return state.bytes;
}

/** Loads the newest state into the trainer (weights, optimisers, streams) and returns the point,
 * the bookkeeping and its tensors (the caller owns them). Throws when the state is missing, was
 * written for another point than `expected`, or does not fit the trainer's models. */
export async function loadResumeState(root: string, trainer: Resumable, expected: ResumePoint): Promise<{ point: ResumePoint; json: unknown; tensors: Record<string, tf.Tensor[]> }> {
  const point = readResumePoint(root);
  if (!point) throw new Error(`no resume state in ${root}`);
  if (point.epoch !== expected.epoch || point.step !== expected.step) {
    throw new Error(`the resume state is at epoch ${point.epoch} (step ${point.step}), not at epoch ${expected.epoch} (step ${expected.step}) as the server said`);
  }
  const dir = path.join(root, epochDir(point.epoch));
  const state = stateSchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')));
  const raw = fs.readFileSync(path.join(dir, 'state.bin'));
  if (raw.byteLength !== state.bytes) throw new Error(`the resume state in ${dir} is truncated (${raw.byteLength} of ${state.bytes} bytes)`);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const group = (name: string) =>
    state.entries
      .filter((e) => e.group === name)
      .map((e) => ({ ...e, values: all.subarray(e.offset, e.offset + e.shape.reduce((a, b) => a * b, 1)) }));
  for (const [role, model] of Object.entries(trainer.models)) {
    const stored = group(`model:${role}`);
    if (stored.length !== model.weights.length) throw new Error(`the resume state holds ${stored.length} weights for ${role}, the model has ${model.weights.length}`);
    const tensors = model.weights.map((w, i) => {
      if (stored[i].shape.join('x') !== w.shape.join('x')) throw new Error(`the resume state's ${role} weight ${stored[i].name} is ${stored[i].shape.join('x')}, the model expects ${w.shape.join('x')}`);
      return tf.tensor(stored[i].values, stored[i].shape);
    });
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
  const optimizers = state.optimizerSteps.map((steps, p) => {
    const [m, v] = group(`adam:${p}`);
    // Views on the file's bytes: both importers copy them (into tensors or shared memory).
    return { steps, m: m.values, v: v.values };
  });
  await trainer.importState(optimizers, point.step);
  const tensors: Record<string, tf.Tensor[]> = {};
  for (const e of state.entries.filter((x) => x.group.startsWith('tensors:'))) {
    const key = e.group.slice('tensors:'.length);
    (tensors[key] ??= []).push(tf.tensor(all.slice(e.offset, e.offset + e.shape.reduce((a, b) => a * b, 1)), e.shape));
  }
  return { point, json: state.extra, tensors };
}

/** The Adam state of a tf.train.adam optimiser over `variables` (in the order they were passed
 * to minimize, which is the order of its moments). Before its first step: zeros. */
export async function tfAdamState(optimizer: tf.Optimizer, variables: tf.Variable[]): Promise<OptimizerState> {
  const size = variables.reduce((n, v) => n + v.size, 0);
  const m = new Float32Array(size);
  const v = new Float32Array(size);
  const weights = await optimizer.getWeights();
  const steps = (await weights[0].tensor.data())[0];
  const moments = weights.slice(1);
  if (moments.length > 0) {
    if (moments.length !== variables.length * 2) throw new Error(`the optimiser holds ${moments.length / 2} moments for ${variables.length} variables`);
    let offset = 0;
    for (const [i, variable] of variables.entries()) {
      m.set(await moments[i].tensor.data(), offset);
      v.set(await moments[variables.length + i].tensor.data(), offset);
      offset += variable.size;
    }
  }
  tf.dispose(weights[0].tensor);
  return { steps, m, v };
}

/** Sets a tf.train.adam optimiser over `variables` to a saved state. */
export async function setTfAdamState(optimizer: tf.Optimizer, variables: tf.Variable[], state: OptimizerState): Promise<void> {
  if (state.steps === 0) return;
  let offset = 0;
  const m: { name: string; tensor: tf.Tensor }[] = [];
  const v: { name: string; tensor: tf.Tensor }[] = [];
  for (const variable of variables) {
    m.push({ name: `${variable.name}/m`, tensor: tf.tensor(state.m.subarray(offset, offset + variable.size), variable.shape) });
    v.push({ name: `${variable.name}/v`, tensor: tf.tensor(state.v.subarray(offset, offset + variable.size), variable.shape) });
    offset += variable.size;
  }
  const iterations = tf.scalar(state.steps, 'int32');
  // setWeights makes variables of the moments (copies): the tensors given can go.
  await optimizer.setWeights([{ name: 'iter', tensor: iterations }, ...m, ...v]);
  tf.dispose([iterations, ...m.map((x) => x.tensor), ...v.map((x) => x.tensor)]);
}

/** A trainer on this thread: its models and one tf.train.adam per phase, over the variables
 * it minimises (in that order); `seek` moves its per-step streams. */
export function threadResumable(models: Record<string, tf.LayersModel>, phases: { optimizer: tf.Optimizer; variables: tf.Variable[] }[], seek: (step: number) => void): Resumable {
  return {
    models,
    exportOptimizers: () => Promise.all(phases.map((p) => tfAdamState(p.optimizer, p.variables))),
    importState: async (optimizers, step) => {
      if (optimizers.length !== phases.length) throw new Error(`the saved state has ${optimizers.length} optimisers, the model ${phases.length}`);
      for (const [i, p] of phases.entries()) await setTfAdamState(p.optimizer, p.variables, optimizers[i]);
      seek(step);
    },
  };
}

/** A data-parallel trainer: the models of this thread, the optimiser state of the exchanges. */
export function parallelResumable(trainer: DataParallelTrainer): Resumable {
  return {
    models: trainer.replica.models,
    exportOptimizers: async () => trainer.exportOptimizers(),
    importState: (optimizers, step) => trainer.importState(optimizers, step),
  };
}

/** The trainable variables of models, in their fixed order: what an optimiser minimises. */
export const trainableVariables = (...models: tf.LayersModel[]) => models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
