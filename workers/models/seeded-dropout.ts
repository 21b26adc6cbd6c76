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

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return tf.clone(x);
    // A new, deterministic seed per call: the n-th training step of a run always gets the same masks.
    return tf.dropout(x, this.rate, undefined, this.seed * 1_000_003 + this.calls++);
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(SeededDropout);
