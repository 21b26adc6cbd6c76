// `npm run worker -- --check`: the machine check prints one JSON report a script can parse (backend,
// device, one timed BrainCNN step, no leaked tensors), says why a forced backend cannot load (a GPU
// box without libtensorflow), and refuses a bad image size with a message instead of a stack trace.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

/** What `npm run worker -- --check …` runs. */
function check(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  delete base.TFJS_BACKEND;
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/agent/main.ts', '--check', ...args], { env: { ...base, ...env }, timeout: 90_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** stdout must be exactly one JSON object: nothing a library logs may reach it. */
function report(out: { status: number | null; stdout: string; stderr: string }) {
  assert.equal(out.status, 0, out.stderr);
  assert.equal(out.stdout.trim().split('\n').length, 1, `stdout holds more than the report:\n${out.stdout}`);
  return JSON.parse(out.stdout);
}

describe('worker --check', { concurrency: true }, () => {
  test('--json --size 32 reports the backend, the machine and one timed BrainCNN step', async () => {
    const json = report(await check(['--json', '--size', '32']));
    assert.equal(json.ok, true);
    assert.ok(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'].includes(json.backend), json.backend);
    assert.equal(json.backend, 'wasm');
    assert.deepEqual(json.tried.map((t: { name: string }) => t.name), ['tfjs-node-gpu', 'tfjs-node', 'wasm']);
    for (const failed of json.tried.slice(0, 2)) assert.ok(failed.error, `${failed.name} has no reason`);
    assert.equal(json.gpu, false);
    assert.match(json.device, /^cpu: \S/);
    assert.ok(json.threads >= 1);
    assert.ok(json.memoryMb > 0);
    assert.equal(json.step.model, 'cnn');
    assert.equal(json.step.imageSize, 32);
    assert.equal(json.step.batchSize, 8);
    assert.ok(json.step.warmupMs > 0 && json.step.stepMs > 0 && json.step.msPerImage > 0, JSON.stringify(json.step));
    assert.equal(json.leakedTensors, 0);
    assert.match(json.tfjsVersion, /^4\./);
    assert.equal(json.node, process.version);
  });

  test('a forced backend that cannot load is reported with its reason, and the check fails', async () => {
    const out = await check(['--json', '--size', '32'], { TFJS_BACKEND: 'tfjs-node-gpu' });
    assert.equal(out.status, 1, out.stderr);
    const json = JSON.parse(out.stdout);
    assert.equal(json.ok, false);
    assert.match(json.error, /tfjs-node-gpu/);
  });

  test('--size 33 is refused with the sizes it takes', async () => {
    const out = await check(['--json', '--size', '33']);
    assert.notEqual(out.status, 0);
    assert.equal(out.stdout, '');
    assert.match(out.stderr, /--size must be one of 32, 64, 128/);
  });
});
