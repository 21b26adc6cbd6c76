// The command-line contracts: `npm run import`, `train` and `generate` end with one JSON line that
// scripts can parse, and bad arguments fail with a message instead of a stack trace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';

let work: string;
before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-cli-'));
  await writeRawDemoDataset(path.join(work, 'scans'), { seed: 5, perClass: 30 });
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

function run(script: string, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    // Two threads per run although the images are small: the command-line runs go through the
    // worker's data-parallel path (BrainCNN, VAE, CVAE, GAN), which the other integration tests at
    // 32x32 do not take.
    env: { ...process.env, DATA_DIR: path.join(work, 'data'), DEMO_PER_CLASS: '20', TRAIN_THREADS: '2' },
    timeout: 240_000,
  });
  const lines = result.stdout.trim().split('\n');
  return { status: result.status, last: lines.at(-1) ?? '', stderr: result.stderr };
}

test('npm run import prints the dataset summary as its last line', () => {
  const out = run('server/cli/import.ts', [path.join(work, 'scans'), '--name', 'scans', '--json']);
  assert.equal(out.status, 0, out.stderr);
  const json = JSON.parse(out.last);
  assert.equal(json.name, 'scans');
  assert.equal(json.imported, 60);
  assert.deepEqual(json.classes, { healthy: 30, tumor: 30, unlabelled: 0 });
  assert.ok(json.duplicateGroups >= 1);
  assert.match(json.dataset, /^ds-[0-9a-f]{12}$/);
});

test('npm run train trains on a named dataset and prints the metrics as JSON', () => {
  const out = run('server/cli/train.ts', ['--model', 'cnn', '--preset', 'smoke', '--seed', '0', '--epochs', '1', '--data', 'scans', '--json']);
  assert.equal(out.status, 0, out.stderr);
  const json = JSON.parse(out.last);
  for (const key of ['accuracy', 'precision', 'recall', 'f1']) assert.ok(json[key] >= 0 && json[key] <= 1, key);
  assert.equal(json.backend, 'wasm');
  assert.equal(json.threads, 2);
  assert.ok(json.seconds > 0);
});

test('npm run train takes a generator, npm run generate makes a synthetic set, and the CVAE trains on it', () => {
  const gen = run('server/cli/train.ts', ['--model', 'vae', '--class', 'healthy', '--preset', 'smoke', '--data', 'scans', '--json']);
  assert.equal(gen.status, 0, gen.stderr);
  const vae = JSON.parse(gen.last);
  assert.equal(vae.imageClass, 'healthy');
  assert.deepEqual(vae.checkpoints, [1]);
  for (const key of ['reconstruction', 'kl', 'total', 'seconds']) assert.ok(Number.isFinite(vae[key]), key);

  const made = run('server/cli/generate.ts', ['--from', vae.runId, '--n', '24', '--json']);
  assert.equal(made.status, 0, made.stderr);
  const synthetic = JSON.parse(made.last);
  assert.equal(synthetic.count, 24);
  assert.deepEqual(synthetic.classCounts, { tumor: 0, healthy: 24 });
  for (const key of ['fid', 'kid', 'precision', 'recall', 'memorizationRatio']) assert.ok(Number.isFinite(synthetic[key]), key);
  assert.match(synthetic.dataset, /^synthetic-vae-scans-24/);

  const cvae = run('server/cli/train.ts', ['--model', 'cvae', '--preset', 'smoke', '--data', 'scans', '--technique', 'giaem,global-kmeans', '--train-data', 'mixed', '--synthetic', synthetic.dataset, '--json']);
  assert.equal(cvae.status, 0, cvae.stderr);
  const json = JSON.parse(cvae.last);
  assert.deepEqual(json.techniques.map((t: { technique: string }) => t.technique), ['giaem', 'global-kmeans']);
  for (const t of json.techniques) for (const key of ['accuracy', 'precision', 'recall', 'f1', 'auroc']) assert.ok(t[key] >= 0 && t[key] <= 1, key);
  assert.ok(json.trainImages.real > 0 && json.trainImages.synthetic > 0, JSON.stringify(json.trainImages));
});

test('npm run train trains a GAN on two threads', () => {
  const out = run('server/cli/train.ts', ['--model', 'gan', '--class', 'tumor', '--preset', 'smoke', '--data', 'scans', '--json']);
  assert.equal(out.status, 0, out.stderr);
  const gan = JSON.parse(out.last);
  for (const key of ['d_loss', 'g_loss', 'd_real', 'd_fake']) assert.ok(Number.isFinite(gan[key]), key);
  assert.deepEqual(gan.checkpoints, [1]);
});

test('bad arguments fail with a readable message', () => {
  const train = run('server/cli/train.ts', ['--model', 'resnet', '--json']);
  assert.notEqual(train.status, 0);
  assert.match(train.stderr, /--model/);
  const generate = run('server/cli/generate.ts', ['--n', '10']);
  assert.notEqual(generate.status, 0);
  assert.match(generate.stderr, /--from/);
  const missing = run('server/cli/import.ts', [path.join(work, 'nowhere')]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /does not exist/);
});
