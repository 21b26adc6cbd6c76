// Cross-thread sums inside a data-parallel step, for batch normalisation over the whole batch
// (synchronised batch norm): every replica's batch-norm layer normalises with the mean and
// variance of all rows of the batch, not only of its share, so that splitting a batch over
// threads changes nothing but the order of float additions.
//
// The threads meet at a barrier on shared memory (Atomics) inside the forward and backward
// passes; the number and order of meetings is the same on every thread because every replica runs
// the same graph. Vectors go through two banks used alternately, so a fast thread can write the
// next sum while a slow one still reads the last: one barrier per sum.
import * as tf from '@tensorflow/tfjs';

const CONTROL = 4; // arrived, generation, aborted, (spare)
const WAIT_SLICE_MS = 50;
const BARRIER_TIMEOUT_MS = 10 * 60_000;

export class SyncGroup {
  private readonly control: Int32Array;
  private readonly banks: Float32Array[][];
  private calls = 0;
  /** Replicas with rows in the step under way: they, and only they, meet at the barriers. */
  private participants = 1;

  static bytes(replicas: number, capacity: number): number {
    return CONTROL * 4 + 2 * replicas * capacity * 4;
  }

  constructor(
    buffer: SharedArrayBuffer,
    byteOffset: number,
    replicas: number,
    readonly index: number,
    private readonly capacity: number,
  ) {
    this.control = new Int32Array(buffer, byteOffset, CONTROL);
    const start = byteOffset + CONTROL * 4;
    this.banks = [0, 1].map((bank) => Array.from({ length: replicas }, (_, r) => new Float32Array(buffer, start + (bank * replicas + r) * capacity * 4, capacity)));
  }

  /** Called by every participating replica before its step: `participants` replicas have rows. */
  beginStep(participants: number): void {
    this.participants = participants;
    // Replicas without rows skipped the last step's sums: start every step on the same bank.
    this.calls = 0;
  }

  /** Marks the group failed: every thread waiting at, or reaching, a barrier throws. */
  abort(): void {
    Atomics.store(this.control, 2, 1);
    Atomics.notify(this.control, 1);
  }

  /** Σ_s coefficient(s) · values_s over the participating replicas, identical on all of them. */
  sum(values: Float32Array, coefficient: (replica: number) => number): Float32Array {
    if (values.length > this.capacity) throw new Error(`a synchronised sum of ${values.length} values exceeds the group's ${this.capacity}`);
    const bank = this.banks[this.calls++ % 2];
    bank[this.index].set(values);
    this.barrier();
    const out = new Float32Array(values.length);
    for (let r = 0; r < this.participants; r++) {
      const c = coefficient(r);
      const v = bank[r];
      for (let i = 0; i < out.length; i++) out[i] += c * v[i];
    }
    return out;
  }

  private barrier(): void {
    const { control } = this;
    const participants = this.participants;
    const generation = Atomics.load(control, 1);
    if (Atomics.add(control, 0, 1) === participants - 1) {
      Atomics.store(control, 0, 0);
      Atomics.add(control, 1, 1);
      Atomics.notify(control, 1);
      return;
    }
    const deadline = Date.now() + BARRIER_TIMEOUT_MS;
    while (Atomics.load(control, 1) === generation) {
      if (Atomics.load(control, 2) !== 0) throw new Error('another thread of the data-parallel step failed');
      if (Date.now() > deadline) throw new Error('a data-parallel thread did not reach the barrier within 10 minutes');
      Atomics.wait(control, 1, generation, WAIT_SLICE_MS);
    }
  }
}

/** The group of the step running on this thread, if any, and every replica's share of its batch. */
let active: { group: SyncGroup; shares: number[] } | null = null;

export function activeGroup(): SyncGroup | null {
  return active?.group ?? null;
}

/** Runs fn (one replica's forward and backward pass) with `group` active. `rows` are the rows of
 * every participating replica, in order; this replica's are rows[group.index]. */
export function withGroup<T>(group: SyncGroup, rows: number[], fn: () => T): T {
  const total = rows.reduce((a, b) => a + b, 0);
  group.beginStep(rows.length);
  active = { group, shares: rows.map((n) => n / total) };
  try {
    return fn();
  } finally {
    active = null;
  }
}

/**
 * The batch-wide mean of a per-replica mean (here: a batch-norm layer's per-channel means over
 * each replica's rows), differentiable: forward Σ_s w_s v_s, w_s being replica s's share of the
 * batch. Replica r differentiates its own shard's mean loss L_r and the step weights its
 * gradients by w_r, so the whole batch's loss is Σ_s w_s L_s; its gradient with respect to v_r is
 * w_r Σ_s w_s dy_s, and the gradient passed back on replica r (before the weighting) is
 * Σ_s w_s dy_s. Outside a step it is the identity.
 */
export function crossReplicaMean(x: tf.Tensor): tf.Tensor {
  if (!active) return x;
  const { group, shares } = active;
  const weighted = (s: number) => shares[s];
  const meanOp = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.tensor(group.sum(input.dataSync() as Float32Array, weighted), input.shape, 'float32'),
    gradFunc: (dy: tf.Tensor) => tf.tensor(group.sum(dy.dataSync() as Float32Array, weighted), dy.shape, 'float32'),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return meanOp(x);
}
