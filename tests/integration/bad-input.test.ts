// Bad input gets a clear error and loses nothing: a table of malformed, out-of-range, too long
// and unknown requests (tRPC, HTTP file routes, uploads, browser and worker socket messages),
// each answered with the expected status and a message naming the problem, with no stack trace
// or server path, and with the runs, datasets and files under DATA_DIR unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { count } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { datasets, runs } from '../../db/schema';
import { startTestServer, TEST_WORKER_TOKEN, type TestServer } from '../helpers/server';
import { traversalZip } from '../helpers/zip';

let server: TestServer;
let demoId: string;
interface Answer { status: number; body: string }
type Case = [name: string, request: () => Promise<Answer>, status: number, message: RegExp];

const LEAK = /(^|[\s"'(])\/(home|tmp|usr|var|work|root|Users)\/|\bat \S+ \(|\n\s+at /;

async function answer(res: Response): Promise<Answer> {
  return { status: res.status, body: await res.text() };
}
/** A tRPC mutation or query as a browser sends it (one procedure, JSON input, no batching). */
const mutate = (proc: string, input: unknown) =>
  server.fetch(`/api/trpc/${proc}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify(input) }).then(answer);
const query = (proc: string, input: unknown) => server.fetch(`/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}`).then(answer);
const launch = (input: Record<string, unknown>) => mutate('runs.launch', { model: 'cnn', preset: 'smoke', ...input });
const get = (p: string) => server.fetch(p).then(answer);
function upload(files: [name: string, data: Buffer | string][], importId = 'bad-input') {
  const form = new FormData();
  for (const [name, data] of files) form.append('file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)]), name);
  return server.fetch(`/api/datasets/upload?importId=${importId}`, { method: 'POST', headers: { origin: server.url }, body: form }).then(answer);
}

/** A socket acknowledgement as an answer: 200 with the ack's JSON. */
async function ack(socket: () => Promise<Socket>, event: string, msg: unknown): Promise<Answer> {
  const s = await socket();
  try {
    return { status: 200, body: JSON.stringify(await s.timeout(5000).emitWithAck(event, msg)) };
  } finally {
    s.close();
  }
}
const browser = () => server.browser() as unknown as Promise<Socket>;
async function worker(): Promise<Socket> {
  const s = io(`${server.url}/workers`, { auth: { token: TEST_WORKER_TOKEN }, transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => s.once('connect', () => resolve()).once('connect_error', reject));
  s.emit('worker:hello', { workerId: 'bad-input-worker', pid: 1, host: 'test', backend: 'cpu' });
  return s;
}

const long = 'x'.repeat(200_000);
const CASES: Case[] = [
  ['launch: batch size 0', () => launch({ overrides: { batchSize: 0 } }), 400, /overrides\.batchSize/],
  ['launch: image size 256', () => launch({ overrides: { imageSize: 256 } }), 400, /overrides\.imageSize/],
  ['launch: width 5', () => launch({ overrides: { width: 5 } }), 400, /overrides\.width/],
  ['launch: epochs 1e9', () => launch({ overrides: { epochs: 1e9 } }), 400, /overrides\.epochs: at most 200 epochs/],
  ['launch: paper cnn past 3x the paper', () => launch({ preset: 'paper', overrides: { epochs: 61 } }), 400, /at most 60 epochs with the paper preset/],
  ['launch: quick epochs 101', () => launch({ preset: 'quick', overrides: { epochs: 101 } }), 400, /at most 100 epochs/],
  ['launch: epochs 0', () => launch({ overrides: { epochs: 0 } }), 400, /overrides\.epochs/],
  ['launch: epochs a string', () => launch({ overrides: { epochs: 'ten' } }), 400, /overrides\.epochs/],
  ['launch: negative learning rate', () => launch({ overrides: { learningRate: -1 } }), 400, /overrides\.learningRate/],
  ['launch: dropout 1.5', () => launch({ overrides: { dropout: 1.5 } }), 400, /overrides\.dropout/],
  ['launch: cvae latent 1', () => launch({ model: 'cvae', overrides: { latentDim: 1 } }), 400, /overrides\.latentDim/],
  ['launch: gan samples too often', () => launch({ model: 'gan', preset: 'quick', overrides: { sampleEvery: 2 } }), 400, /overrides\.sampleEvery: at least 10 steps/],
  ['launch: mixed without a synthetic dataset', () => launch({ trainData: 'mixed' }), 400, /syntheticDatasetId: mixed training data needs a synthetic dataset/],
  ['launch: generator on synthetic data', () => launch({ model: 'vae', trainData: 'synthetic' }), 400, /trainData: generators learn from real data only/],
  ['launch: unknown model', () => launch({ model: 'rnn' }), 400, /model/],
  ['launch: missing preset', () => mutate('runs.launch', { model: 'cnn' }), 400, /preset/],
  ['launch: seed a string', () => launch({ seed: 'one' }), 400, /seed/],
  ['launch: negative seed', () => launch({ seed: -1 }), 400, /seed/],
  ['launch: mix ratio 11', () => launch({ trainData: 'mixed', syntheticDatasetId: 'ds-x', mixRatio: 11 }), 400, /mixRatio/],
  ['launch: no techniques', () => launch({ model: 'cvae', techniques: [] }), 400, /techniques/],
  ['launch: unknown dataset', () => launch({ datasetId: 'ds-nowhere' }), 400, /Dataset ds-nowhere does not exist/],
  ['launch: unknown synthetic dataset', () => launch({ trainData: 'mixed', syntheticDatasetId: 'ds-nowhere' }), 400, /Synthetic dataset ds-nowhere does not exist/],
  ['launch: 200,000-character datasetId', () => launch({ datasetId: long }), 400, /datasetId: Too big/],
  ['launch: not JSON', () => server.fetch('/api/trpc/runs.launch', { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: '{"model":' }).then(answer), 400, /JSON|parse/i],
  ['launch: a 2 MiB body', () => launch({ note: 'y'.repeat(2 * 1024 * 1024) }), 413, /too large/i],
  ['synthesize: no generators', () => mutate('datasets.synthesize', { generators: [] }), 400, /generators: choose at least one generator run/],
  ['synthesize: three generators', () => mutate('datasets.synthesize', { generators: [{ runId: 'a' }, { runId: 'b' }, { runId: 'c' }] }), 400, /at most two generator runs/],
  ['synthesize: 7 per class', () => mutate('datasets.synthesize', { generators: [{ runId: 'r-x' }], perClass: 7 }), 400, /perClass/],
  ['synthesize: a name with a slash', () => mutate('datasets.synthesize', { generators: [{ runId: 'r-x' }], name: 'a/b' }), 400, /name: letters, digits/],
  ['synthesize: a 65-character run id', () => mutate('datasets.synthesize', { generators: [{ runId: 'r'.repeat(65) }] }), 400, /generators\.0\.runId/],
  ['synthesize: an unknown run', () => mutate('datasets.synthesize', { generators: [{ runId: 'r-nowhere' }] }), 400, /r-nowhere/],
  ['study: unknown preset', () => mutate('studies.launch', { preset: 'huge' }), 400, /preset/],
  ['study: 11 seeds', () => mutate('studies.launch', { preset: 'smoke', seeds: 11 }), 400, /seeds/],
  ['study: an 81-character name', () => mutate('studies.launch', { preset: 'smoke', name: 'n'.repeat(81) }), 400, /name/],
  ['study: a 200,000-character datasetId', () => mutate('studies.launch', { preset: 'smoke', datasetId: long }), 400, /datasetId/],
  ['study: cancel an unknown id', () => mutate('studies.cancel', { id: 's-nowhere' }), 404, /No study with id s-nowhere/],
  ['study: retry an unknown id', () => mutate('studies.retry', { id: 's-nowhere' }), 404, /No study with id s-nowhere/],
  ['study: get an unknown id', () => query('studies.get', { id: 's-nowhere' }), 404, /No study/],
  ['runs: cancel an unknown id', () => mutate('runs.cancel', { id: 'r-nowhere' }), 404, /No run with id r-nowhere/],
  ['runs: get an unknown id', () => query('runs.get', { id: 'r-nowhere' }), 404, /No run with id r-nowhere/],
  ['runs: get a 65-character id', () => query('runs.get', { id: 'r'.repeat(65) }), 400, /id: Too big/],
  ['runs: get without an id', () => query('runs.get', {}), 400, /id/],
  ['datasets: get an unknown id', () => query('datasets.get', { id: 'ds-nowhere' }), 404, /No dataset with id ds-nowhere/],
  ['file: an unknown run image', () => get('/api/runs/r-nowhere/images/1.png'), 404, /no such image/],
  ['file: an unknown dataset preview', () => get('/api/datasets/ds-nowhere/preview-tumor.png'), 404, /no such dataset file/],
  ['file: an image past the dataset', () => get(`/api/datasets/${demoId}/image/99999.png`), 404, /out of range/],
  ['file: a preview name not offered', () => get(`/api/datasets/${demoId}/secret.png`), 404, /no such preview/],
  ['upload: a bad import id', () => upload([['yes/a.png', 'x']], 'bad id!'), 400, /importId/],
  ['upload: no file at all', () => upload([]), 400, /no file was uploaded|could not be read/],
  ['upload: a file name with ..', () => upload([['../evil.png', 'x']]), 400, /nothing was imported/],
  ['upload: a zip entry with ..', async () => upload([['evil.zip', await traversalZipBytes()]]), 400, /\.\./],
  ['upload: a text file, not an image', () => upload([['yes/notes.txt', 'hello']]), 400, /./],
  ['upload: images in no class folder', () => upload([['scan.png', 'not a png either']]), 400, /./],
  ['upload: a part past the 1 MiB cap of this server', () => upload([['yes/big.png', Buffer.alloc(1024 ** 2 + 1)]]), 413, /yes\/big\.png\\" is larger than the 1048576-byte limit per file/],
  ['upload: a .nii.gz gzip bomb (600 KB unpacking past 512 MiB)', () => upload([['bomb.nii.gz', gzipBomb()]]), 400, /unpacks to more than 512 MiB/],
  ['socket: run:subscribe without a run id', () => ack(browser, 'run:subscribe', { nope: 1 }), 200, /^false$/],
  ['socket: run:subscribe with a 200,000-character id', () => ack(browser, 'run:subscribe', { runId: long }), 200, /^false$/],
  ['socket: presence:watch with a bad page', () => ack(browser, 'presence:watch', { kind: 'run', id: long }), 200, /^null$/],
  ['socket: presence:watch with a number', () => ack(browser, 'presence:watch', 42), 200, /^null$/],
  ['worker: run:fail for an unknown run', () => ack(worker, 'run:fail', { runId: 'r-nowhere', error: 'x' }), 200, /^false$/],
  ['worker: run:complete with a bad payload', () => ack(worker, 'run:complete', { runId: 12 }), 200, /^false$/],
];

/** Nine gzip members of 64 MiB of zeros each: 576 MiB unpacked from about 600 KB. */
function gzipBomb(): Buffer {
  const member = zlib.gzipSync(Buffer.alloc(64 * 1024 ** 2));
  return Buffer.concat(Array.from({ length: 9 }, () => member));
}

async function traversalZipBytes(): Promise<Buffer> {
  const file = path.join(server.dataDir, '..', `bad-input-${process.pid}.zip`);
  await traversalZip(file, Buffer.from('not really a jpeg'));
  try {
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Everything a bad request must leave alone. */
function snapshot() {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (!/\.db(-wal|-shm|-journal)?$/.test(e.name)) files.push(path.join(dir, e.name));
    }
  };
  walk(server.dataDir);
  const db = server.services.db;
  return { runs: db.select({ n: count() }).from(runs).get()!.n, datasets: db.select({ n: count() }).from(datasets).get()!.n, files: files.length };
}

before(async () => {
  server = await startTestServer({ MAX_WORKERS: 0, UPLOAD_MAX_FILE_MB: 1 });
  demoId = server.services.defaultDatasetId;
});
after(() => server.stop());

test(`${CASES.length} bad requests each get a clear error and change nothing`, async () => {
  assert.ok(CASES.length >= 40);
  const failures: string[] = [];
  for (const [name, request, status, message] of CASES) {
    const before = snapshot();
    const res = await request();
    const problems = [
      res.status !== status && `status ${res.status}, expected ${status}`,
      !message.test(res.body) && `message does not match ${message}`,
      LEAK.test(res.body) && 'a path or stack trace leaked',
      res.body.length > 5000 && `a ${res.body.length}-character answer`,
      JSON.stringify(snapshot()) !== JSON.stringify(before) && `state changed: ${JSON.stringify(before)} -> ${JSON.stringify(snapshot())}`,
    ].filter(Boolean);
    if (problems.length) failures.push(`${name}: ${problems.join(', ')}\n    ${res.body.slice(0, 300)}`);
  }
  assert.deepEqual(failures, []);
});

test('an internal error answers 500 with an error id, logged, and no stack or path', async () => {
  const dataset = server.services.db.select().from(datasets).all().find((d) => d.id === demoId)!;
  const reportFile = path.join(server.dataDir, dataset.dir, 'report.json');
  const saved = fs.existsSync(reportFile) ? fs.readFileSync(reportFile) : null;
  fs.writeFileSync(reportFile, '{ not json');
  try {
    const res = await query('datasets.get', { id: demoId });
    assert.equal(res.status, 500);
    const id = /\(error ([0-9a-f]{8})\)/.exec(res.body)?.[1];
    assert.ok(id, res.body);
    assert.doesNotMatch(res.body, LEAK);
    assert.doesNotMatch(res.body, /JSON|Unexpected token/);
    assert.ok(server.logs.some((l) => l.includes(`error ${id}`) && /JSON/.test(l)), 'the log names the id and the cause');
  } finally {
    if (saved) fs.writeFileSync(reportFile, saved);
    else fs.rmSync(reportFile);
  }
});

test('data.fields lists each bad field for the form to show', async () => {
  const res = await launch({ overrides: { batchSize: 0, epochs: 1e9 } });
  const fields: string[] = JSON.parse(res.body).error.data.fields;
  assert.ok(fields.some((f) => f.startsWith('overrides.epochs: at most 200 epochs')), fields.join('; '));
  const typed = await launch({ seed: 'one' });
  assert.ok(JSON.parse(typed.body).error.data.fields.some((f: string) => f.startsWith('seed:')));
});

test('an HTTP route that fails answers 500 with an error id, logged, and no path', async () => {
  const dataset = server.services.db.select().from(datasets).all().find((d) => d.id === demoId)!;
  const images = path.join(server.dataDir, dataset.dir, 'images.u8');
  // A missing file is a 404 (tests/integration/faults.test.ts); an unreadable one (here a folder
  // where the image file should be) is a failure of the server's own.
  fs.renameSync(images, `${images}.away`);
  fs.mkdirSync(images);
  try {
    const res = await get(`/api/datasets/${demoId}/image/0.png`);
    assert.equal(res.status, 500);
    const id = /\(error ([0-9a-f]{8})\)/.exec(res.body)?.[1];
    assert.ok(id, res.body);
    assert.doesNotMatch(res.body, LEAK);
    assert.doesNotMatch(res.body, /EISDIR|images\.u8/);
    assert.ok(server.logs.some((l) => l.includes(`error ${id}`) && /EISDIR/.test(l)), 'the log names the id and the cause');
  } finally {
    fs.rmdirSync(images);
    fs.renameSync(`${images}.away`, images);
  }
});
