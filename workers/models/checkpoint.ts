// Model weights on disk: a checkpoint is a folder with weights.bin (every weight as float32, in
// the model's weight order), weights.json (names and shapes) and meta.json. Loading rebuilds the
// model from its run's config with the same builder and sets the weights, so custom layers need
// no serialisation and a checkpoint can only load into the architecture that wrote it.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

interface WeightEntry {
  model: string;
  name: string;
  shape: number[];
}

/** Writes the weights of the named models (and `meta`) to `dir`, atomically (temp + rename). */
export async function saveCheckpoint(dir: string, models: Record<string, tf.LayersModel>, meta: Record<string, unknown>): Promise<number> {
  const entries: WeightEntry[] = [];
  const chunks: Buffer[] = [];
  for (const [key, model] of Object.entries(models)) {
    for (const w of model.weights) {
      const value = w.read();
      const data = await value.data();
      entries.push({ model: key, name: w.originalName, shape: value.shape });
      chunks.push(Buffer.from(Float32Array.from(data).buffer));
    }
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const bin = Buffer.concat(chunks);
  fs.writeFileSync(path.join(tmp, 'weights.bin'), bin);
  fs.writeFileSync(path.join(tmp, 'weights.json'), JSON.stringify(entries));
  fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify({ ...meta, savedAt: Date.now() }));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return bin.length;
}

/** Loads weights written by saveCheckpoint into freshly built models of the same architecture. */
export function loadCheckpoint(dir: string, models: Record<string, tf.LayersModel>): Record<string, unknown> {
  if (!fs.existsSync(path.join(dir, 'weights.json'))) throw new Error(`no checkpoint in ${dir}`);
  const entries = JSON.parse(fs.readFileSync(path.join(dir, 'weights.json'), 'utf8')) as WeightEntry[];
  const raw = fs.readFileSync(path.join(dir, 'weights.bin'));
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let offset = 0;
  const byModel = new Map<string, { entry: WeightEntry; values: Float32Array }[]>();
  for (const entry of entries) {
    const n = entry.shape.reduce((a, b) => a * b, 1);
    if (offset + n > all.length) throw new Error(`checkpoint ${dir} is truncated`);
    const list = byModel.get(entry.model) ?? [];
    list.push({ entry, values: all.subarray(offset, offset + n) });
    byModel.set(entry.model, list);
    offset += n;
  }
  for (const [key, model] of Object.entries(models)) {
    const stored = byModel.get(key) ?? [];
    if (stored.length !== model.weights.length) throw new Error(`checkpoint ${dir} holds ${stored.length} weights for ${key}, the model has ${model.weights.length}`);
    const tensors = model.weights.map((w, i) => {
      const { entry, values } = stored[i];
      if (entry.shape.join('x') !== w.shape.join('x')) throw new Error(`checkpoint ${dir}: ${key} weight ${entry.name} is ${entry.shape.join('x')}, the model expects ${w.shape.join('x')}`);
      return tf.tensor(values, entry.shape);
    });
    model.setWeights(tensors);
    tf.dispose(tensors);
  }
  return JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
}

/** Which epochs' checkpoints to keep: the last five, every tenth, the final one and the best on
 * validation (`best`, see lib/contracts/epoch-quality.ts; synthesis uses it by default). A
 * paper-size VAE decoder is ~50 MB, so keeping all 50 epochs would take 2.5 GB per run. */
export function checkpointsToKeep(epochs: number[], finalEpoch: number, best?: number | null): Set<number> {
  const sorted = [...epochs].sort((a, b) => a - b);
  const keep = new Set(sorted.slice(-5));
  for (const e of sorted) if (e % 10 === 0 || e === finalEpoch || e === best) keep.add(e);
  return keep;
}

/** The meta.json of a kept checkpoint, or null when there is none. */
export function readCheckpointMeta(root: string, epoch: number): Record<string, unknown> | null {
  const file = path.join(root, checkpointDirName(epoch), 'meta.json');
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export const checkpointDirName = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;

/** Epochs with a complete checkpoint under `root`, ascending. */
export function listCheckpoints(root: string): number[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .map((name) => /^epoch-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(root, m[0], 'meta.json')))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}
