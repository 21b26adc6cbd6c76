// Dropout whose mask changes at every call yet is reproducible from a seed. tfjs-layers' own
// Dropout passes its fixed `seed` to every call, so a seeded Dropout drops the same units at
// every training step (a fixed thinned network at train time, the full one at inference).
import * as tf from '@tensorflow/tfjs';

export interface SeededDropoutArgs {
  rate: number;
  seed: number;
  name?: string;
}

export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  private readonly rate: number;
  private readonly seed: number;
  private calls = 0;
  /** Set while this replica trains on rows [offset, offset + n) of a batch of `total` images. */
  private shard: { offset: number; total: number } | null = null;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return tf.clone(x);
    // A new, deterministic seed per call: the n-th training step of a run always gets the same masks.
    const seed = this.seed * 1_000_003 + this.calls++;
    if (!this.shard) return tf.dropout(x, this.rate, undefined, seed);
    // Data-parallel training: draw the whole batch's mask and keep this shard's rows, so that the
    // masks do not depend on how many threads share the batch. tf.dropout computes exactly this
    // (floor(u + keep) / keep) from the same uniform draws when the shard is the whole batch.
    const { offset, total } = this.shard;
    return tf.tidy(() => {
      const keep = 1 - this.rate;
      const u = tf.randomUniform([total, ...x.shape.slice(1)], 0, 1, 'float32', seed);
      const rows = tf.slice(u, offset, x.shape[0]);
      return tf.mul(x, tf.div(tf.floor(tf.add(rows, keep)), keep));
    });
  }

  /** Counts a training call that this replica sat out (it had no rows of the batch), so that its
   * next masks stay those of the other replicas. */
  skipCall(): void {
    if (this.rate !== 0) this.calls++;
  }

  /** Takes up the masks after `calls` training calls (a resumed run: one call per step). */
  seek(calls: number): void {
    this.calls = calls;
  }

  /** Which rows of the full batch the next calls see (null: the whole batch). */
  setShard(shard: { offset: number; total: number } | null): void {
    this.shard = shard;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(SeededDropout);
