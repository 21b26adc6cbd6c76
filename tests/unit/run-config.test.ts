// Launch requests resolve into full configs from the presets; bad values are refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZodError } from 'zod';
import { resolveRunConfig } from '../../lib/contracts/run-config';

test('the paper preset is the paper: 128x128, full width, Adam, 20 epochs, dropout 0.5', () => {
  const config = resolveRunConfig({ model: 'cnn', preset: 'paper', seed: 4 }, 'ds-demo');
  assert.equal(config.model, 'cnn');
  if (config.model !== 'cnn') return;
  assert.deepEqual(
    { size: config.imageSize, width: config.width, epochs: config.epochs, dropout: config.dropout, dataset: config.datasetId, seed: config.seed },
    { size: 128, width: 1, epochs: 20, dropout: 0.5, dataset: 'ds-demo', seed: 4 },
  );
});

test('overrides replace preset fields', () => {
  const config = resolveRunConfig({ model: 'cnn', preset: 'smoke', overrides: { epochs: 5, imageSize: 64 } }, 'ds');
  assert.equal(config.epochs, 5);
  assert.equal(config.imageSize, 64);
  assert.equal(config.batchSize, 16);
});

test('invalid values are refused with the offending field named', () => {
  for (const overrides of [{ epochs: 0 }, { imageSize: 100 }, { learningRate: -1 }, { dropout: 1.5 }]) {
    assert.throws(() => resolveRunConfig({ model: 'cnn', preset: 'quick', overrides: overrides as never }, 'ds'), (err: unknown) => {
      return err instanceof ZodError && err.issues.some((i) => i.path.includes(Object.keys(overrides)[0]));
    });
  }
  assert.throws(() => resolveRunConfig({ model: 'resnet' as never, preset: 'quick' }, 'ds'), ZodError);
});

test('generator configs: one class, the paper latent of 512 for the VAE, and the class is required to be known', () => {
  const vae = resolveRunConfig({ model: 'vae', preset: 'paper', imageClass: 'healthy' }, 'ds');
  assert.equal(vae.model, 'vae');
  if (vae.model !== 'vae') return;
  assert.deepEqual([vae.imageClass, vae.latentDim, vae.imageSize, vae.width], ['healthy', 512, 128, 1]);
  const gan = resolveRunConfig({ model: 'gan', preset: 'smoke', overrides: { sampleEvery: 3, dropout: 0.9 } }, 'ds');
  assert.equal(gan.model, 'gan');
  if (gan.model !== 'gan') return;
  assert.equal(gan.imageClass, 'tumor');
  assert.equal(gan.sampleEvery, 3);
  assert.ok(!('dropout' in gan), 'a CNN-only field does not leak into a generator config');
  assert.throws(() => resolveRunConfig({ model: 'vae', preset: 'smoke', imageClass: 'both' as never }, 'ds'), ZodError);
});

test('BrainCNN presets stop early on validation; patience is overridable within the epoch cap', () => {
  const patienceOf = (preset: 'smoke' | 'quick' | 'paper', overrides = {}) => {
    const config = resolveRunConfig({ model: 'cnn', preset, overrides }, 'ds');
    return config.model === 'cnn' ? [config.epochs, config.patience] : [];
  };
  assert.ok(patienceOf('smoke')[1]! >= 1);
  for (const preset of ['quick', 'paper'] as const) {
    const [epochs, patience] = patienceOf(preset);
    assert.ok(patience! > 1 && patience! < epochs!, `${preset}: ${patience} of ${epochs}`);
  }
  assert.deepEqual(patienceOf('quick', { patience: 12 })[1], 12);
  const refused = (input: Parameters<typeof resolveRunConfig>[0], message: RegExp) =>
    assert.throws(() => resolveRunConfig(input, 'ds'), (err: unknown) => err instanceof ZodError && err.issues.some((i) => i.path.join('.') === 'overrides.patience' && message.test(i.message)));
  refused({ model: 'cnn', preset: 'quick', overrides: { patience: 0 } }, /expected number to be >=1/);
  refused({ model: 'cnn', preset: 'quick', overrides: { patience: 1.5 } }, /int/);
  refused({ model: 'cnn', preset: 'quick', overrides: { patience: 101 } }, /at most 100 epochs of patience with the quick preset/);
  refused({ model: 'cvae', preset: 'smoke', overrides: { patience: 3 } }, /BrainCNN only/);
});

test('a run may require a GPU worker; the field is written only when asked for, so other configs compare as before', () => {
  for (const model of ['cnn', 'cvae', 'vae', 'gan'] as const) {
    assert.equal(resolveRunConfig({ model, preset: 'smoke', requireGpu: true }, 'ds').requireGpu, true, model);
    assert.ok(!('requireGpu' in resolveRunConfig({ model, preset: 'smoke', requireGpu: false }, 'ds')), model);
    assert.ok(!('requireGpu' in resolveRunConfig({ model, preset: 'smoke' }, 'ds')), model);
  }
});
