// The small pieces of fault isolation: a wrapped socket handler logs and answers instead of
// throwing, and a full disk is recognised from Node's and SQLite's error codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safely, safelyNext } from '../../server/realtime/safely';
import { asDiskFull, DiskFullError } from '../../server/services/disk-full';

test('a handler that throws is logged and its ack gets the fallback', () => {
  const logs: string[] = [];
  const answers: unknown[] = [];
  const handler = safely(logs.push.bind(logs), 'run:subscribe', (_msg: unknown, _ack: (ok: boolean) => void) => {
    throw new Error('boom');
  }, false);
  assert.doesNotThrow(() => handler({}, (ok) => answers.push(ok)));
  assert.deepEqual(answers, [false]);
  assert.match(logs[0], /^\[socket\] run:subscribe handler failed: Error: boom/);
});

test('a rejected async handler is logged; without a fallback nothing is answered', async () => {
  const logs: string[] = [];
  const answers: unknown[] = [];
  safely(logs.push.bind(logs), 'presence:unwatch', async (_ack: () => void) => {
    throw new Error('later');
  })(() => answers.push('called'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(answers, []);
  assert.match(logs[0], /presence:unwatch handler failed: Error: later/);
});

test('a middleware that throws refuses that one connection with a short reason', () => {
  const logs: string[] = [];
  const refusals: (Error | undefined)[] = [];
  safelyNext(logs.push.bind(logs), 'the worker handshake', () => {
    throw new Error('database is locked');
  })({}, (err) => refusals.push(err));
  assert.equal(refusals[0]?.message, 'the worker handshake failed on the server; try again');
  assert.match(logs[0], /^\[socket\] the worker handshake failed: Error: database is locked/);
});

test('ENOSPC and SQLITE_FULL become "disk full: …"; other errors pass through unchanged', () => {
  for (const code of ['ENOSPC', 'SQLITE_FULL']) {
    const err = asDiskFull(Object.assign(new Error('no space'), { code }), 'the samples image of step 3');
    assert.ok(err instanceof DiskFullError);
    assert.match(err.message, /^disk full: the samples image of step 3 could not be stored \(no space\)/);
  }
  const other = Object.assign(new Error('denied'), { code: 'EACCES' });
  assert.equal(asDiskFull(other, 'x'), other);
});
