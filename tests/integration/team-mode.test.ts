// Team mode end to end: a real redis-server, the dashboard with REDIS_URL (training nothing itself)
// and two worker agents, each with its own empty cache and no access to the server's DATA_DIR.
// Runs of every kind are drawn from Redis and trained once each, their checkpoints and synthetic
// dataset arrive verified, the table fills; an agent killed with -9 mid-run has its run resumed
// by the other from the last uploaded epoch; a revoked worker token is refused; and the same seed
// gives the same test accuracy as the embedded queue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer, waitForRun, type BrowserSocket, type TestServer } from '../helpers/server';
import { startRedis, type TestRedis } from '../helpers/redis';
import { startAgent, type TestAgent } from '../helpers/agent';
import type { ClassifierSummary, GeneratorSummary, RunView, SyntheticSummary } from '../../lib/contracts/events';

// Both modes train on one thread, so a seed gives the same numbers on either.
process.env.TRAIN_THREADS = '1';

let redis: TestRedis;
let server: TestServer;
let browser: BrowserSocket;
const agents: TestAgent[] = [];
const prefix = `it${process.pid}`;
let cnnReal: RunView;

const finished = (r: RunView) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'cancelled';

async function newToken(name: string): Promise<string> {
  return (await server.api.workerTokens.create.mutate({ name })).token;
}

async function launchAgent(id: string): Promise<TestAgent> {
  const agent = startAgent({ server: server.url, token: await newToken(id), id, redisUrl: redis.url, redisPrefix: prefix, args: ['--threads', '1'] });
  agents.push(agent);
  await agent.waitFor(/connected to .*team mode/);
  return agent;
}

async function succeeded(runId: string, timeoutMs = 240_000): Promise<RunView> {
  const run = await waitForRun(browser, runId, finished, timeoutMs).catch(async (err) => {
    const current = await server.api.runs.get.query({ id: runId });
    if (finished(current.run)) return current.run;
    throw err;
  });
  assert.equal(run.status, 'succeeded', `${runId}: ${run.error}\n${agents.flatMap((a) => a.logs.slice(-15)).join('\n')}`);
  return run;
}

before(async () => {
  redis = await startRedis();
  server = await startTestServer({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, MAX_WORKERS: 0 });
  browser = await server.browser();
  await launchAgent('agent-a');
  await launchAgent('agent-b');
});

after(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await server?.stop();
  await redis?.stop();
});

test('the dashboard says it is in team mode and trains nothing itself', () => {
  assert.ok(server.logs.some((l) => /team mode: runs are dispatched through BullMQ/.test(l)), server.logs.join('\n'));
  assert.ok(!server.logs.some((l) => /started worker w-/.test(l)), 'no local worker was started');
});

test('six smoke runs of every kind are trained once each by the agents; artifacts arrive and verify; the table fills', async () => {
  const launch = (input: Parameters<typeof server.api.runs.launch.mutate>[0]) => server.api.runs.launch.mutate(input);
  const first = await Promise.all([
    launch({ model: 'vae', preset: 'smoke', seed: 3, imageClass: 'healthy', overrides: { epochs: 2 } }),
    launch({ model: 'gan', preset: 'smoke', seed: 3, imageClass: 'tumor', overrides: { epochs: 2 } }),
    launch({ model: 'cnn', preset: 'smoke', seed: 5 }),
    launch({ model: 'cvae', preset: 'smoke', seed: 5 }),
  ]);
  const [vae, gan, cnn, cvae] = await Promise.all(first.map((r) => succeeded(r.id)));
  cnnReal = cnn;

  // Generator checkpoints were uploaded into the server's DATA_DIR, where synthesis reads them.
  for (const run of [vae, gan]) {
    assert.deepEqual((run.summary as GeneratorSummary).checkpoints, [1, 2]);
    for (const epoch of ['epoch-0001', 'epoch-0002']) {
      const weights = path.join(server.dataDir, 'artifacts', run.id, 'checkpoints', epoch, 'weights.bin');
      assert.ok(fs.statSync(weights).size > 1000, `${run.model}: no uploaded weights for ${epoch}`);
    }
    assert.ok(!fs.existsSync(path.join(server.dataDir, 'artifacts', run.id, 'resume')), 'the resume state of a finished run is dropped');
    const page = await server.api.runs.get.query({ id: run.id });
    assert.ok(page.images.some((i) => i.kind === 'samples'), 'sample grids streamed from the agent');
  }

  // A synthesis run on an agent (generators fetched as bundles), then a classifier on its dataset.
  const synthLaunch = await server.api.datasets.synthesize.mutate({ generators: [{ runId: vae.id }, { runId: gan.id }], perClass: 24, seed: 5 });
  const synth = await succeeded(synthLaunch.id);
  const synthetic = synth.summary as SyntheticSummary;
  const dataset = await server.api.datasets.get.query({ id: synthetic.datasetId! });
  assert.equal(dataset.count, 48);
  assert.equal(dataset.contentHash, synthetic.contentHash, 'the uploaded dataset hashes to what the run reported');
  const onSynthetic = await succeeded((await launch({ model: 'cnn', preset: 'smoke', seed: 5, trainData: 'synthetic', syntheticDatasetId: synthetic.datasetId })).id);

  const all = [vae, gan, cnn, cvae, synth, onSynthetic];
  for (const run of all) assert.equal(run.attempts, 1, `${run.id} (${run.model}) was trained once`);
  const workersUsed = new Set(all.map((r) => r.workerId));
  assert.ok([...workersUsed].every((w) => w === 'agent-a' || w === 'agent-b'), `only agents trained: ${[...workersUsed]}`);
  assert.equal(workersUsed.size, 2, 'both agents took runs');

  // Each agent fetched the real dataset into its own cache, verified.
  for (const agent of agents) {
    const cached = fs.readdirSync(path.join(agent.cache, 'datasets')).filter((n) => /^[0-9a-f]{64}$/.test(n));
    assert.ok(cached.length >= 1, `${agent.id} cached a dataset`);
    for (const hash of cached) assert.ok(fs.existsSync(path.join(agent.cache, 'datasets', hash, '.verified')));
  }

  const table = await server.api.results.table.query();
  const cell = (model: string, trainData: RegExp) => table.find((c) => c.model === model && trainData.test(c.trainData) && c.metric === 'accuracy');
  assert.ok(cell('cnn', /^real$/), 'the real CNN cell is filled');
  assert.ok(cell('cnn', /^synthetic-/), 'the synthetic CNN cell is filled');
  assert.ok(table.some((c) => c.model === 'cvae'), 'the anomaly detector rows are filled');
});

test('cancelling a running run reaches its agent, which stops it and takes the next', async () => {
  const launched = await server.api.runs.launch.mutate({ model: 'gan', preset: 'smoke', seed: 8, imageClass: 'healthy', overrides: { epochs: 200 } });
  const running = await waitForRun(browser, launched.id, (r) => r.status === 'running' && r.progress > 0, 120_000);
  const agent = agents.find((a) => a.id === running.workerId);
  assert.ok(agent, `held by an agent (${running.workerId})`);
  await server.api.runs.cancel.mutate({ id: launched.id });
  await agent.waitFor(new RegExp(`run ${launched.id} failed: stopped`), 30_000);
  const { run } = await server.api.runs.get.query({ id: launched.id });
  assert.equal(run.status, 'cancelled');
  // The agent is free again: a new run is trained (by whichever agent draws it).
  await succeeded((await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 9 })).id);
});

test('an agent killed with -9 mid-run: its run resumes on the other agent from the last uploaded epoch', async () => {
  const launched = await server.api.runs.launch.mutate({ model: 'gan', preset: 'smoke', seed: 4, imageClass: 'healthy', overrides: { epochs: 6 } });
  const resumeFile = path.join(server.dataDir, 'artifacts', launched.id, 'resume', 'latest.json');
  const deadline = Date.now() + 180_000;
  while (!fs.existsSync(resumeFile)) {
    assert.ok(Date.now() < deadline, 'no resume state was uploaded');
    await new Promise((r) => setTimeout(r, 100));
  }
  const holder = (await server.api.runs.get.query({ id: launched.id })).run.workerId;
  const victim = agents.find((a) => a.id === holder);
  assert.ok(victim, `the run is held by an agent (${holder})`);
  victim.proc.kill('SIGKILL');
  const run = await succeeded(launched.id);
  assert.equal(run.attempts, 2);
  assert.notEqual(run.workerId, holder, 'the other agent finished it');
  const { logs } = await server.api.runs.get.query({ id: launched.id });
  assert.ok(logs.some((l) => /resumes after epoch \d+ \(step \d+\) from its saved state/.test(l.message)), logs.map((l) => l.message).join('\n'));
  assert.ok(logs.some((l) => /resumed after epoch \d+/.test(l.message)), 'the surviving agent loaded the uploaded state');
  assert.deepEqual((run.summary as GeneratorSummary).checkpoints.length > 0, true);
});

test('the Workers list shows the agents with what they bring; a drained agent takes nothing, a GPU-only run waits for a GPU, a removed agent stops', async () => {
  // The agent killed above is replaced, as a user would start it again.
  if (agents.filter((a) => a.proc.exitCode === null && a.proc.signalCode === null).length < 2) await launchAgent('agent-d');
  const list = await server.api.workers.list.query();
  const alive = agents.filter((a) => a.proc.exitCode === null && a.proc.signalCode === null);
  for (const agent of alive) {
    const row = list.find((w) => w.id === agent.id);
    assert.ok(row, `${agent.id} is listed`);
    assert.equal(row.connected, true);
    assert.equal(row.kind, 'agent');
    assert.equal(row.backend, 'wasm');
    assert.equal(row.gpu, false);
    assert.ok(row.device && row.memoryMb && row.threads, JSON.stringify(row));
  }
  const [kept, drained] = alive;
  await server.api.workers.drain.mutate({ workerId: drained.id, drained: true });
  await drained.waitFor(/drained by an admin/);
  const gpuOnly = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 12, requireGpu: true });
  const cpuRuns = await Promise.all([13, 14].map((seed) => server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed })));
  for (const launched of cpuRuns) assert.equal((await succeeded(launched.id)).workerId, kept.id, 'only the agent that is not drained trains');
  assert.equal((await server.api.runs.get.query({ id: gpuOnly.id })).run.status, 'queued', 'no CPU agent takes a run that requires a GPU');
  await server.api.runs.cancel.mutate({ id: gpuOnly.id });
  await server.api.workers.drain.mutate({ workerId: drained.id, drained: false });
  await drained.waitFor(/no longer drained/);

  await server.api.workers.remove.mutate({ workerId: drained.id });
  await drained.waitFor(/removed from the dashboard by /);
  assert.equal(await drained.exited, 0);
  assert.ok(!(await server.api.workers.list.query()).some((w) => w.id === drained.id));
});

test('a revoked worker token is refused: the agent is disconnected and cannot come back or fetch data', async () => {
  const token = await newToken('agent-c');
  const agent = startAgent({ server: server.url, token, id: 'agent-c', redisUrl: redis.url, redisPrefix: prefix });
  agents.push(agent);
  await agent.waitFor(/connected to /);
  const [view] = (await server.api.workerTokens.list.query()).filter((t) => t.name === 'agent-c');
  await server.api.workerTokens.revoke.mutate({ id: view.id });
  await agent.waitFor(/refused the worker token/, 30_000);
  assert.equal(await agent.exited, 2);
  const datasets = await server.api.datasets.list.query();
  const res = await fetch(`${server.url}/api/worker/datasets/${datasets[0].contentHash}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401);
});

test('the same seed gives the same test accuracy as the embedded queue', async () => {
  assert.ok(cnnReal, 'the team-mode CNN ran');
  const embedded = await startTestServer({ MAX_WORKERS: 1 });
  try {
    const socket = await embedded.browser();
    const launched = await embedded.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 5 });
    const run = await waitForRun(socket, launched.id, finished, 240_000);
    assert.equal(run.status, 'succeeded', run.error ?? '');
    const a = cnnReal.summary as ClassifierSummary;
    const b = run.summary as ClassifierSummary;
    assert.equal(a.accuracy, b.accuracy);
    assert.deepEqual(a.confusion, b.confusion);
  } finally {
    await embedded.stop();
  }
});
