// What the threads of a data-parallel step share. One SharedArrayBuffer holds:
//  - per replica, a flat vector [gradients of the trainable variables | training-mode state |
//    loss | other means], with its share of the batch;
//  - the result: the trainable weights (the one true copy), then the batch-weighted means of the
//    rest;
//  - Adam's first and second moments of every trainable weight.
// Each step every replica writes its vector, then each reduces a disjoint slice (sums the
// gradients and applies Adam to that slice of the weights), then every replica loads the result
// into its variables. So the update is done once, split over the threads, and the replicas stay
// bit-identical without any thread owning the weights. The same functions run on every thread.
import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from '../engine/kernels/wasm-heap';
import type { AdamSettings, Phase, Shard } from './replica';
import { SyncGroup, withGroup } from './sync-group';
import { adamKernel, type AdamKernel } from './adam-simd';

/** Floats a synchronised sum may carry (a batch-norm layer's channels). */
const SYNC_CAPACITY = 4096;

export interface Layout {
  /** Offsets and shapes of the trainable variables, then the state variables. */
  entries: { offset: number; size: number; shape: number[] }[];
  trainableCount: number;
  /** Floats taken by the trainable variables (they come first). */
  trainableLength: number;
  lossOffset: number;
  /** How many other per-image means follow the loss. */
  means: number;
  /** Floats per vector. */
  length: number;
}

export function layoutOf(replica: Phase): Layout {
  let offset = 0;
  const entries = [...replica.trainable, ...replica.state].map((v) => {
    const entry = { offset, size: v.size, shape: v.shape.slice() };
    offset += v.size;
    return entry;
  });
  const trainableLength = replica.trainable.reduce((sum, v) => sum + v.size, 0);
  const means = replica.meanNames.length;
  return { entries, trainableCount: replica.trainable.length, trainableLength, lossOffset: offset, means, length: offset + 1 + means };
}

/** Byte offsets of the parts of an exchange's shared memory, in order. */
function regions(layout: Layout, replicas: number) {
  const n = layout.length * 4;
  const p = layout.trainableLength * 4;
  const vectors = 0;
  const result = vectors + replicas * n;
  const m = result + n;
  const v = m + p;
  const shares = Math.ceil((v + p) / 8) * 8; // a Float64Array must start on 8 bytes
  const group = shares + replicas * 8;
  const tables = group + SyncGroup.bytes(replicas, SYNC_CAPACITY);
  return { vectors, result, m, v, shares, group, tables, end: tables + replicas * replicas * 8 };
}

export class Exchange {
  readonly vectors: Float32Array[];
  readonly result: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Each replica's share of the batch under way (0 for a replica without rows). */
  readonly shares: Float64Array;
  /** The synchronised sums of batch-norm layers (see sync-group.ts). */
  readonly group: SyncGroup;
  readonly buffer: SharedArrayBuffer;
  /** Adam steps taken; every replica counts the same. */
  steps = 0;
  /** The SIMD Adam kernel, when it assembled; the JS loop below otherwise. */
  private readonly kernel: AdamKernel | null;
  /** Byte offset of this replica's table of (gradient slice, share) pairs for the kernel. */
  private readonly tableAt: number;

  static bytes(layout: Layout, replicas: number): number {
    return regions(layout, replicas).end;
  }

  /** The view of replica `index` (0: the main thread) on the shared memory, with the Adam
   * kernel instantiated on this thread when its module is given. */
  constructor(
    readonly layout: Layout,
    readonly replicas: number,
    readonly index: number,
    readonly adam: AdamSettings,
    memory: WebAssembly.Memory,
    module: WebAssembly.Module | null,
  ) {
    const buffer = (this.buffer = memory.buffer as unknown as SharedArrayBuffer);
    const at = regions(layout, replicas);
    if (buffer.byteLength < at.end) throw new Error('the shared memory is smaller than the exchange needs');
    this.vectors = Array.from({ length: replicas }, (_, r) => new Float32Array(buffer, at.vectors + r * layout.length * 4, layout.length));
    this.result = new Float32Array(buffer, at.result, layout.length);
    this.m = new Float32Array(buffer, at.m, layout.trainableLength);
    this.v = new Float32Array(buffer, at.v, layout.trainableLength);
    this.shares = new Float64Array(buffer, at.shares, replicas);
    this.group = new SyncGroup(buffer, at.group, replicas, index, SYNC_CAPACITY);
    this.tableAt = at.tables + index * replicas * 8;
    this.kernel = module && adamKernel(module, memory);
  }

  /** This replica computes its shard's gradients and state and writes them into its vector, and
   * its share of the batch; `rows` are every replica's rows of the batch. A replica
   * without rows only writes share 0 (it takes no part in the synchronised sums). */
  computeShard(replica: Phase, xs: tf.Tensor | null, ys: tf.Tensor | null, shard: Shard, rows: number[]): void {
    const vector = this.vectors[this.index];
    const { layout } = this;
    const n = rows[this.index];
    this.shares[this.index] = n / shard.total;
    if (!xs || n === 0) return replica.sitOut();
    let means: tf.Scalar[] = [];
    const participants = rows.filter((r) => r > 0);
    const { value, grads } = withGroup(this.group, participants, () =>
      replica.optimizer.computeGradients(() => {
        const out = replica.loss(xs, ys, shard);
        means = out.means.map((c) => tf.keep(c));
        return out.loss;
      }, replica.trainable),
    );
    replica.trainable.forEach((v, i) => copyOut(grads[v.name], vector, layout.entries[i].offset));
    replica.state.forEach((v, j) => copyOut(v, vector, layout.entries[layout.trainableCount + j].offset));
    vector[layout.lossOffset] = value.dataSync()[0];
    means.forEach((c, k) => (vector[layout.lossOffset + 1 + k] = c.dataSync()[0]));
    tf.dispose([value, ...Object.values(grads), ...means]);
  }

  /** This replica reduces its slice: the batch-weighted mean gradient goes through Adam into the
   * weights; the state, loss and other means are averaged by share. */
  reduceSlice(): void {
    const { index, layout, vectors, result, shares, m, v } = this;
    const { learningRate, beta1, beta2, epsilon } = this.adam;
    this.steps++;
    const chunk = Math.ceil(layout.length / this.replicas);
    const start = index * chunk;
    const end = Math.min(layout.length, start + chunk);
    // Adam as tf.train.adam computes it, with bias corrections 1 - beta^t.
    const c1 = 1 - beta1 ** this.steps;
    const c2 = 1 - beta2 ** this.steps;
    const live = Array.from({ length: this.replicas }, (_, r) => r).filter((r) => shares[r] > 0);
    const adamEnd = Math.min(end, layout.trainableLength);
    if (this.kernel && adamEnd > start) {
      const table = new DataView(this.buffer, this.tableAt, this.replicas * 8);
      live.forEach((r, k) => {
        table.setInt32(k * 8, vectors[r].byteOffset + start * 4, true);
        table.setFloat32(k * 8 + 4, shares[r], true);
      });
      this.kernel(this.tableAt, live.length, m.byteOffset + start * 4, v.byteOffset + start * 4, result.byteOffset + start * 4, adamEnd - start, beta1, beta2, learningRate / c1, 1 / c2, epsilon);
    } else this.adamLoop(start, adamEnd, live, c1, c2);
    for (let i = Math.max(start, layout.trainableLength); i < end; i++) {
      let s = 0;
      for (const r of live) s += shares[r] * vectors[r][i];
      result[i] = s;
    }
  }

  /** Adam in JS, where the SIMD kernel is not available. */
  private adamLoop(start: number, adamEnd: number, live: number[], c1: number, c2: number): void {
    const { vectors, result, shares, m, v } = this;
    const { learningRate, beta1, beta2, epsilon } = this.adam;
    // The gradients summed into a scratch array, replica after replica, then one pass of Adam: a
    // loop over the replicas inside the element loop ran ~6x slower (18 ns per weight) in V8.
    const g = this.scratch(Math.max(0, adamEnd - start));
    g.fill(0);
    for (const r of live) {
      const w = shares[r];
      const vec = vectors[r];
      for (let i = start; i < adamEnd; i++) g[i - start] += w * vec[i];
    }
    for (let i = start; i < adamEnd; i++) {
      const gi = g[i - start];
      const mi = beta1 * m[i] + (1 - beta1) * gi;
      const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      result[i] -= (learningRate * (mi / c1)) / (Math.sqrt(vi / c2) + epsilon);
    }
  }

  private scratchBuffer = new Float64Array(0);
  private scratch(n: number): Float64Array {
    if (this.scratchBuffer.length < n) this.scratchBuffer = new Float64Array(n);
    return this.scratchBuffer.subarray(0, n);
  }

  /** Every replica loads the result (new weights and mean state) into its variables. */
  apply(replica: Phase): { loss: number; means: number[] } {
    this.readVariables(replica, this.result);
    const { layout, result } = this;
    return { loss: result[layout.lossOffset], means: Array.from(result.subarray(layout.lossOffset + 1, layout.length)) };
  }

  /** Writes a replica's current variables (trainable, then state) into a vector. */
  writeVariables(replica: Phase, target: Float32Array): void {
    [...replica.trainable, ...replica.state].forEach((v, i) => copyOut(v, target, this.layout.entries[i].offset));
  }

  /** Sets a replica's variables from a vector laid out as writeVariables writes it. */
  readVariables(replica: Phase, source: Float32Array): void {
    tf.tidy(() => [...replica.trainable, ...replica.state].forEach((v, i) => v.assign(tensorFrom(source, this.layout.entries[i]))));
  }
}

/** Copies a tensor's values into target at offset: straight from the wasm heap when the backend
 * is wasm (dataSync would allocate a fresh array per gradient, 134 MB for BrainCNN's first dense
 * kernel, and the allocation and its page faults cost more than the copy). */
function copyOut(t: tf.Tensor, target: Float32Array, offset: number): void {
  if (tf.getBackend() === 'wasm') target.set((tf.backend() as unknown as WasmHeapBackend).typedArrayFromHeap(t) as Float32Array, offset);
  else target.set(t.dataSync() as Float32Array, offset);
}

function tensorFrom(source: Float32Array, entry: { offset: number; size: number; shape: number[] }): tf.Tensor {
  const view = source.subarray(entry.offset, entry.offset + entry.size);
  // The wasm backend copies into its heap at once; others may keep the array, which changes later.
  return tf.tensor(tf.getBackend() === 'wasm' ? view : view.slice(), entry.shape, 'float32');
}
