// Backup while the server runs and restore into a fresh DATA_DIR: the restored server signs the
// same people in and shows the same runs, metric points and comparison table; a damaged backup
// is refused with a message that says so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startServer, type RunningServer } from '../../server/index';
import { startTestServer, waitForRun, signIn, person, TEST_PASSWORD, TEST_WORKER_TOKEN, type Api } from '../helpers/server';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-backup-'));
const running: { stop: () => Promise<void> }[] = [];
after(async () => {
  for (const s of running) await s.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function cli(script: string, args: string[], dataDir = '') {
  const result = spawnSync(process.execPath, ['--import', 'tsx', `server/cli/${script}.ts`, ...args], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir || path.join(work, 'unused') } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') };
}

async function snapshot(api: Api) {
  const runs = await api.runs.list.query();
  const metrics = await Promise.all(runs.map((r) => api.runs.metrics.query({ id: r.id })));
  const images = await Promise.all(runs.map(async (r) => (await api.runs.get.query({ id: r.id })).images));
  return { runs, metrics, images, table: await api.results.table.query() };
}

test('a backup taken while the server runs restores into a server with the same runs, points and table', async () => {
  const server = await startTestServer();
  running.push(server);
  const browser = await server.browser();
  // A classifier fills the table; a generator stores sample grids (artifacts).
  const launched = await server.api.runs.launch.mutate({ model: 'vae', preset: 'smoke', seed: 2, imageClass: 'tumor' });
  const cnn = await server.api.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 2 });
  for (const id of [launched.id, cnn.id]) {
    const done = await waitForRun(browser, id, (r) => r.status !== 'queued' && r.status !== 'running');
    assert.equal(done.status, 'succeeded', `run ended ${done.status}: ${done.error}`);
  }
  const before = await snapshot(server.api);
  assert.ok(before.metrics.every((m) => m.length > 0) && before.table.length > 0);
  assert.ok(before.images.flat().length > 0, 'the smoke run stored no image');

  const file = path.join(work, 'backup', 'dash.sqlite');
  const backup = cli('backup', [file, '--with-files', '--json'], server.dataDir);
  assert.equal(backup.status, 0, backup.stderr);
  assert.equal(backup.json().integrityCheck, 'ok');
  // One self-contained database file (no -wal or -shm beside it), its manifest and the files.
  assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['dash.sqlite', 'dash.sqlite.files', 'dash.sqlite.manifest.json']);
  const manifest = JSON.parse(fs.readFileSync(`${file}.manifest.json`, 'utf8'));
  assert.ok(manifest.files.some((f: { path: string }) => f.path.startsWith('artifacts/')));
  assert.ok(manifest.files.some((f: { path: string }) => f.path.startsWith('datasets/')));
  assert.equal(manifest.database.migrations, fs.readdirSync('db/migrations').filter((f) => f.endsWith('.sql')).length);
  await server.stop();
  running.pop();

  const target = path.join(work, 'restored');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'stray'), 'x');
  const refused = cli('restore', [file, '--data-dir', target]);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /is not empty; .*--force/);
  const restored = cli('restore', [file, '--data-dir', target, '--force', '--json']);
  assert.equal(restored.status, 0, restored.stderr);
  const db = new Database(path.join(target, 'dashboard.sqlite'), { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();

  const again: RunningServer = await startServer({ withNext: false, env: { PORT: 0, DATA_DIR: target, DEMO_PER_CLASS: 60, WORKER_TOKEN: TEST_WORKER_TOKEN, MAX_WORKERS: 0 }, log: () => {} });
  running.push({ stop: () => again.close() });
  const admin = person(again.url, 'admin@lab.test', 'admin', await signIn(again.url, 'admin@lab.test', TEST_PASSWORD), []);
  assert.deepEqual(await snapshot(admin.api), before);
  const image = before.images.flat()[0];
  assert.equal((await admin.fetch(`/api/runs/${launched.id}/images/${image.id}.png`)).status, 200);
});

test('restore refuses a backup whose database or files were damaged, and says so', () => {
  const file = path.join(work, 'backup', 'dash.sqlite');
  const flip = (f: string) => {
    const bytes = fs.readFileSync(f);
    for (let i = 100; i < 110; i++) bytes[bytes.length - i] ^= 0xff;
    fs.writeFileSync(f, bytes);
  };
  const manifest = JSON.parse(fs.readFileSync(`${file}.manifest.json`, 'utf8'));
  const artifact = path.join(`${file}.files`, manifest.files.find((f: { path: string }) => f.path.startsWith('artifacts/')).path);
  flip(artifact);
  const damagedFile = cli('restore', [file, '--data-dir', path.join(work, 'fresh1')]);
  assert.notEqual(damagedFile.status, 0);
  assert.match(damagedFile.stderr, /restore failed: artifacts\/.* does not match its manifest/);
  flip(artifact);
  flip(file);
  const damagedDb = cli('restore', [file, '--data-dir', path.join(work, 'fresh2')]);
  assert.notEqual(damagedDb.status, 0);
  assert.match(damagedDb.stderr, /restore failed: .*dash\.sqlite does not match its manifest/);
  assert.equal(fs.existsSync(path.join(work, 'fresh2', 'dashboard.sqlite')), false);
});
