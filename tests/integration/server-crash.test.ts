// The dashboard killed with SIGKILL in the middle of a study and started again on the same
// DATA_DIR: the study goes on and finishes with every cell, the runs that were training resume
// (attempt 2, with the reason), no metric point the server had stored is lost, and SQLite's
// integrity check passes. The server runs in a process of its own so that it can be killed. A
// command-line run whose process is killed is taken over by the dashboard and resumes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import type { StudyView } from '../../lib/contracts/study';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-crash-'));
const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) await s.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface PointRow {
  id: number;
  run_id: string;
  step: number;
  name: string;
  value: number;
}

async function waitForStudy(s: ServerProcess, id: string, done: (v: StudyView) => boolean, timeoutMs: number): Promise<StudyView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = (await s.api.studies.get.query({ id })) as StudyView;
    if (done(view)) return view;
    if (Date.now() > deadline) throw new Error(`study ${id} still ${view.status}: ${JSON.stringify(view.counts)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('a study survives the server being killed with SIGKILL mid-study: it finishes after a restart with every cell and no stored point lost', async () => {
  const env = { MAX_WORKERS: '2' };
  const first = await startServerProcess(dataDir, env);
  servers.push(first);
  const study = (await first.api.studies.launch.mutate({ preset: 'smoke', seeds: 1, sweep: false })) as StudyView;
  const total = study.nodes.length;
  // Kill once some steps are done and others are training.
  const midway = await waitForStudy(first, study.id, (v) => v.counts.succeeded >= 2 && v.nodes.some((n) => n.state === 'running') && v.counts.succeeded < total - 2, 300_000);
  const snapshot = new Database(path.join(dataDir, 'dashboard.sqlite'), { readonly: true });
  const stored = snapshot.prepare('select id, run_id, step, name, value from metric_points').all() as PointRow[];
  const finishedBefore = new Set((snapshot.prepare("select id from runs where status = 'succeeded'").all() as { id: string }[]).map((r) => r.id));
  snapshot.close();
  await first.kill('SIGKILL');
  const runningAtKill = midway.nodes.filter((n) => n.state === 'running').map((n) => n.runId!);

  const second = await startServerProcess(dataDir, env);
  servers.push(second);
  const done = await waitForStudy(second, study.id, (v) => v.status !== 'running', 420_000);
  assert.equal(done.status, 'succeeded', JSON.stringify(done.nodes.filter((n) => n.state !== 'succeeded').map((n) => [n.key, n.state, n.reason])));
  assert.equal(done.counts.succeeded, total);
  assert.ok(done.table && done.table.length > 0, 'the study table has its cells');
  let resumed = 0;
  for (const runId of runningAtKill) {
    const { run } = await second.api.runs.get.query({ id: runId });
    assert.equal(run.status, 'succeeded');
    // (A run may have finished between the look and the kill.)
    if (run.attempts === 1) continue;
    assert.equal(run.attempts, 2);
    assert.deepEqual(run.attemptErrors, ['the server stopped while this run was in progress']);
    resumed++;
  }
  assert.ok(resumed > 0, 'a run that was training when the server died was taken up again');
  await second.kill('SIGTERM');
  servers.length = 0;

  const db = new Database(path.join(dataDir, 'dashboard.sqlite'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const now = db.prepare('select id, run_id, step, name, value from metric_points').all() as PointRow[];
    const byId = new Map(now.map((p) => [p.id, p]));
    const keys = new Set(now.map((p) => `${p.run_id}|${p.step}|${p.name}`));
    // Every point stored before the kill is still there: untouched for runs that had finished,
    // and, for runs that resumed, at the same step (trained again after their saved epoch).
    for (const p of stored) {
      if (finishedBefore.has(p.run_id)) assert.deepEqual(byId.get(p.id), p);
      else assert.ok(keys.has(`${p.run_id}|${p.step}|${p.name}`), `lost ${p.name} at step ${p.step} of ${p.run_id}`);
    }
  } finally {
    db.close();
  }
});

test('a command-line run whose process is killed with SIGKILL is taken over by the dashboard, resumes and finishes', async () => {
  const dashboard = await startServerProcess(dataDir, { MAX_WORKERS: '1', RUN_LEASE_SECONDS: '15' });
  servers.push(dashboard);
  const cli = spawn(process.execPath, ['--import', 'tsx', 'server/cli/train.ts', '--model', 'cnn', '--preset', 'smoke', '--seed', '9', '--epochs', '40', '--patience', '40'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, DATA_DIR: dataDir, MAX_WORKERS: '1', PORT: '0', DEMO_PER_CLASS: '60' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => cli.once('exit', resolve));
  let runId = '';
  const deadline = Date.now() + 120_000;
  for (;;) {
    const run = (await dashboard.api.runs.list.query()).find((r) => r.seed === 9 && r.model === 'cnn');
    if (run && run.status === 'running' && run.progress > 0.2) {
      runId = run.id;
      break;
    }
    if (Date.now() > deadline) throw new Error('the command-line run did not get going');
    await new Promise((r) => setTimeout(r, 200));
  }
  cli.kill('SIGKILL');
  await exited;
  const until = Date.now() + 180_000;
  let view;
  for (;;) {
    view = (await dashboard.api.runs.get.query({ id: runId })).run;
    if (view.status !== 'running' && view.status !== 'queued') break;
    if (Date.now() > until) throw new Error(`run ${runId} still ${view.status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(view.status, 'succeeded', view.error ?? '');
  assert.equal(view.attempts, 2);
  assert.match(view.attemptErrors[0], /^the command-line process that ran it \(cli-\d+\) is gone$/);
  const { logs } = await dashboard.api.runs.get.query({ id: runId });
  assert.ok(logs.some((l) => /resumes after epoch \d+/.test(l.message)), 'it resumed from a saved epoch');
});
