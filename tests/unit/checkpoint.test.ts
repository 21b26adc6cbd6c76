// Checkpoints: weights written by one model load into a fresh model of the same architecture and
// give the same outputs; a different architecture is refused; the retention rule keeps what it says,
// the best checkpoint on validation included.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../workers/engine/backend';
import { buildGan } from '../../workers/models/gan';
import { checkpointsToKeep, listCheckpoints, loadCheckpoint, saveCheckpoint } from '../../workers/models/checkpoint';
import { bestQualityEpoch } from '../../lib/contracts/epoch-quality';

before(async () => {
  await initEngine();
});

test('a saved generator loads into a fresh one and generates the same images', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
  const a = buildGan({ imageSize: 32, width: 0.25, seed: 1 });
  const b = buildGan({ imageSize: 32, width: 0.25, seed: 2 });
  const z = tf.randomNormal([4, 100], 0, 1, 'float32', 3);
  const out = (m: tf.LayersModel) => (m.apply(z, { training: false }) as tf.Tensor).dataSync();
  assert.notDeepEqual(out(a.generator), out(b.generator), 'different seeds start different');
  const bytes = await saveCheckpoint(path.join(dir, 'epoch-0003'), { generator: a.generator }, { epoch: 3 });
  // Every weight as float32, batch-norm moving statistics included (countParams counts them too).
  assert.equal(bytes, a.generator.weights.reduce((s, w) => s + w.read().size, 0) * 4);
  assert.ok(a.generator.weights.some((w) => w.name.includes('moving_mean')));
  const meta = loadCheckpoint(path.join(dir, 'epoch-0003'), { generator: b.generator });
  assert.equal(meta.epoch, 3);
  assert.deepEqual(out(b.generator), out(a.generator));
  assert.deepEqual(listCheckpoints(dir), [3]);
  const other = buildGan({ imageSize: 64, width: 0.25, seed: 1 });
  assert.throws(() => loadCheckpoint(path.join(dir, 'epoch-0003'), { generator: other.generator }), /holds|expects/);
  tf.dispose([z]);
  for (const m of [a, b, other]) (m.generator.dispose(), m.discriminator.dispose());
  fs.rmSync(dir, { recursive: true, force: true });
});

test('retention keeps the last five, every tenth and the final epoch', () => {
  const kept = checkpointsToKeep(Array.from({ length: 50 }, (_, i) => i + 1), 50);
  assert.deepEqual([...kept].sort((x, y) => x - y), [10, 20, 30, 40, 46, 47, 48, 49, 50]);
  assert.deepEqual([...checkpointsToKeep([1, 2, 3], 5)].sort(), [1, 2, 3]);
});

test('retention also keeps the best checkpoint on validation, and the rule picks the lowest FID, ties to the later epoch', () => {
  const kept = checkpointsToKeep(Array.from({ length: 12 }, (_, i) => i + 1), 50, 3);
  assert.deepEqual([...kept].sort((x, y) => x - y), [3, 8, 9, 10, 11, 12]);
  const q = (epoch: number, fid: number) => ({ epoch, step: epoch * 10, fid, kid: 0, precision: 0.5, recall: 0.5, modeCollapseLikely: false, samples: 64, realVal: 12 });
  const measured = [q(1, 90), q(2, 40), q(3, 55), q(4, 40), q(5, 70)];
  assert.equal(bestQualityEpoch(measured)?.epoch, 4, 'a tie goes to the later epoch');
  assert.equal(bestQualityEpoch(measured, [1, 3, 5])?.epoch, 3, 'only kept epochs count');
  assert.equal(bestQualityEpoch([]), null);
  assert.equal(bestQualityEpoch([q(1, Number.NaN)]), null);
  const collapsed = { ...q(6, 20), modeCollapseLikely: true };
  assert.equal(bestQualityEpoch([...measured, collapsed])?.epoch, 4, 'an epoch flagged for mode collapse loses to a healthy one');
  assert.equal(bestQualityEpoch([collapsed, { ...q(7, 30), modeCollapseLikely: true }])?.epoch, 6, 'when every epoch is flagged, the lowest FID still wins');
  // Class fidelity: an epoch whose sample the encoder calls its class 16+ points less often than real
  // images loses to one within 15 points, whatever its FID; if none is within, FID alone decides.
  const f = (epoch: number, fid: number, synthetic: number) => ({ ...q(epoch, fid), classFidelity: { synthetic, realVal: 0.9 } });
  assert.equal(bestQualityEpoch([f(1, 30, 0.5), f(2, 60, 0.76), f(3, 45, 0.74)])?.epoch, 2, 'a low FID without the class loses');
  assert.equal(bestQualityEpoch([f(1, 30, 0.5), f(2, 60, 0.3)])?.epoch, 1, 'when no epoch is faithful, the lowest FID wins');
  assert.equal(bestQualityEpoch([f(1, 30, 0.5), q(2, 40)])?.epoch, 2, 'an epoch measured before class fidelity existed counts as faithful');
  assert.equal(bestQualityEpoch([{ ...f(1, 30, 0.9), modeCollapseLikely: true }, f(2, 60, 0.5), f(3, 50, 0.2)])?.epoch, 3, 'mode collapse is judged first, then class fidelity among the rest');
});
