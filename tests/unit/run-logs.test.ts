// A late joiner reads a run's last 500 log lines, oldest first, not its first 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../db/client';
import { insertDataset } from '../../db/queries/datasets';
import { appendLog, listLogs } from '../../db/queries/metrics';
import { resolveRunConfig } from '../../lib/contracts/run-config';
import { SqliteRunQueue } from '../../server/queue/sqlite-queue';

test('listLogs returns the last lines of a run in order', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-logs-'));
  const db = openDb(dataDir);
  try {
    const none = { seed: 0, train: [], val: [], test: [] };
    insertDataset(db, {
      id: 'ds-test', name: 'test', kind: 'demo', contentHash: 'x', imageSize: 32, count: 0, classCounts: { healthy: 0, tumor: 0 },
      source: null, duplicateGroups: 0, dir: 'datasets/test', splits: none, anomalySplits: null, lineage: null, createdAt: Date.now(),
    });
    const queue = new SqliteRunQueue(db);
    const run = await queue.enqueue(resolveRunConfig({ model: 'cnn', preset: 'smoke' }, 'ds-test'), 'logs-test');
    const other = await queue.enqueue(resolveRunConfig({ model: 'cnn', preset: 'smoke', seed: 1 }, 'ds-test'), 'logs-test');
    for (let i = 1; i <= 700; i++) {
      appendLog(db, run.id, 'info', `line ${i}`);
      if (i % 100 === 0) appendLog(db, other.id, 'info', `other ${i}`);
    }
    const logs = listLogs(db, run.id);
    assert.equal(logs.length, 500);
    assert.deepEqual(logs.map((l) => l.message), Array.from({ length: 500 }, (_, i) => `line ${i + 201}`));
    assert.deepEqual(listLogs(db, run.id, 3).map((l) => l.message), ['line 698', 'line 699', 'line 700']);
    assert.equal(listLogs(db, other.id).length, 7);
  } finally {
    db.$client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
