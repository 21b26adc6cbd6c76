// A small batch with structure to learn, for model tests: a bright disc of varying radius on a
// dark ground, [n, size, size, 1] in [0, 1].
import * as tf from '@tensorflow/tfjs';

export function discBatch(n: number, size: number, minRadius = size / 8, sharpness = 0.2): tf.Tensor4D {
  return tf.tidy(() => {
    const coords = tf.range(0, size).sub((size - 1) / 2);
    const r2 = tf.add(tf.square(coords).reshape([size, 1]), tf.square(coords).reshape([1, size]));
    const radii = tf.linspace(minRadius, size / 3, n).reshape([n, 1, 1]);
    return tf.sigmoid(tf.sub(tf.square(radii), r2.expandDims(0)).mul(sharpness)).expandDims(3) as tf.Tensor4D;
  });
}
