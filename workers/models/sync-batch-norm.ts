// A batch-norm layer that, inside a data-parallel step, normalises with the statistics of the
// whole batch (all threads' rows) instead of its own share's: tfjs-layers' BatchNormalization
// with its training-mode call replaced while a sync group is active. Outside one (training on a
// single thread, inference) it is the stock layer, with the same weights and names.
import * as tf from '@tensorflow/tfjs';
import { activeGroup, crossReplicaMean } from '../parallel/sync-group';

type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];

/** The fields of tfjs-layers' BatchNormalization the synchronised call reads. */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

export function syncBatchNormalization(args: BatchNormArgs): tf.layers.Layer {
  const layer = tf.layers.batchNormalization(args);
  const stock = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const group = activeGroup();
    if (!kwargs.training || !group) return stock(inputs, kwargs);
    const bn = layer as unknown as BatchNormInternals;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (bn.axis !== -1 && bn.axis !== x.rank - 1) throw new Error('synchronised batch norm supports the channel-last axis only');
    return tf.tidy(() => {
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      // tf.moments over the whole batch: each replica's means, averaged by share across replicas
      // (Mean rather than Sum keeps the fast Mean gradient of engine/gradients/batch-norm.ts).
      const mean = crossReplicaMean(tf.mean(x, axes));
      const variance = crossReplicaMean(tf.mean(tf.square(tf.sub(x, mean)), axes));
      const normed = tf.batchNorm(x, mean, variance, bn.beta.read(), bn.gamma.read(), bn.epsilon);
      // The moving averages exactly as the stock layer updates them.
      for (const [variable, value] of [[bn.movingMean, mean], [bn.movingVariance, variance]] as const) {
        const orig = variable.read();
        variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - bn.momentum)));
      }
      return normed;
    });
  };
  return layer;
}
