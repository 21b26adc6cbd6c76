// One dashboard per DATA_DIR: a second dashboard on the same folder refuses to start, naming the
// first (pid, host, start time) and what to do, while the first keeps serving; once the first is
// killed with SIGKILL its stale lock does not block the next one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess, type ServerProcess } from '../../server/loadtest/server-process';

test('a second dashboard on the same DATA_DIR refuses; after the first is killed -9 a new one starts', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-lock-'));
  const env = { DATA_DIR: dataDir, MAX_WORKERS: '0', DEMO_PER_CLASS: '10' };
  const started: ServerProcess[] = [];
  try {
    const first = await startServerProcess(env);
    started.push(first);

    const refused = await startServerProcess(env).then(
      (second) => {
        started.push(second);
        assert.fail('a second dashboard started on the same DATA_DIR');
      },
      (err: Error & { logs?: string[] }) => err.message,
    );
    assert.match(refused, /Another dashboard is already running on DATA_DIR/);
    assert.match(refused, new RegExp(`process ${first.pid} on host ${os.hostname()}, started \\d{4}-\\d\\d-\\d\\dT`));
    assert.match(refused, /Stop that one first, or start this one with another DATA_DIR/);
    assert.equal((await fetch(`${first.url}/api/health`)).status, 200, 'the first keeps serving');

    await first.stop('SIGKILL');
    const next = await startServerProcess(env);
    started.push(next);
    assert.equal((await fetch(`${next.url}/api/health`)).status, 200);
    assert.ok(next.logs.some((l) => l.includes(`removed the DATA_DIR lock of dashboard process ${first.pid}`)));
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
