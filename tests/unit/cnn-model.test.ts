// BrainCNN: the paper's layer shapes and parameter count at 128x128, and a training loop that
// does not leak tensors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../workers/engine/backend';
import { buildBrainCnn } from '../../workers/models/cnn';
import { trainCnnStep } from '../../workers/train/cnn-trainer';

before(async () => {
  await initEngine();
});

test('at the paper preset the layers have the paper shapes and the expected parameter count', () => {
  const model = buildBrainCnn({ imageSize: 128, width: 1, dropout: 0.5, seed: 0 });
  const convShapes = model.layers.filter((l) => l.getClassName() === 'MaxPooling2D').map((l) => l.outputShape);
  assert.deepEqual(convShapes, [[null, 64, 64, 32], [null, 32, 32, 64], [null, 16, 16, 128]]);
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.outputShape as number[])[1]);
  assert.deepEqual(dense, [1024, 512, 128, 2]);
  // Written out from section 5.2 (3x3 'same' convs; batch norm has 4 values per channel).
  const conv = (cin: number, cout: number) => 9 * cin * cout + cout + 4 * cout;
  const fc = (i: number, o: number) => i * o + o;
  const expected = conv(1, 32) + conv(32, 64) + conv(64, 128) + fc(16 * 16 * 128, 1024) + fc(1024, 512) + fc(512, 128) + fc(128, 2);
  assert.equal(model.countParams(), expected);
  assert.equal(expected, 34_239_746);
  model.dispose();
});

test('training steps keep the tensor count flat and lower the loss on a learnable batch', async () => {
  const model = buildBrainCnn({ imageSize: 32, width: 0.25, dropout: 0, seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  // Bright-centre images are class 1, dark ones class 0.
  const labels = Array.from({ length: 16 }, (_, i) => i % 2);
  const xs = tf.tidy(() => tf.stack(labels.map((l) => tf.fill([32, 32, 1], l ? 0.8 : 0.2).add(tf.randomUniform([32, 32, 1], 0, 0.1, 'float32', l)))) as tf.Tensor4D);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat() as tf.Tensor2D);
  const first = await trainCnnStep(model, optimizer, xs, ys);
  await trainCnnStep(model, optimizer, xs, ys);
  const tensorsAfterWarmup = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 8; i++) {
    last = await trainCnnStep(model, optimizer, xs, ys);
    assert.equal(tf.memory().numTensors, tensorsAfterWarmup, `tensor count changed at step ${i + 3}`);
  }
  assert.ok(last.loss < first.loss, `loss did not fall: ${first.loss} -> ${last.loss}`);
  tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();
});
