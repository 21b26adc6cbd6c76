// One load test: a headless dashboard in its own process on a fresh DATA_DIR, N viewers signed in
// as a person on the run's page, and a synthetic worker streaming R points a second for T seconds
// through the real /workers protocol. Measures what each viewer received and when, what SQLite
// stored, and the server's memory and CPU. The load is synthetic; the server is the real one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { LatencyHistogram } from './latency';
import { connectAndClaim, emitAtRate, endRun, type WorkerSocket } from './load-worker';
import { readCpuMs, readRss, startServerProcess, type ServerProcess } from './server-process';
import { joinWithLink, makeApi } from './session';
import { Viewer, joinViewers } from './viewers';

export const loadTestOptionsSchema = z.object({
  viewers: z.coerce.number().int().min(1).max(1000, 'at most 1000 viewers (a bounded, local test)'),
  rate: z.coerce.number().int().min(1).max(20_000, 'at most 20000 points a second'),
  seconds: z.coerce.number().int().min(1).max(600, 'at most 600 seconds'),
  /** How often the worker sends a batch (workers/main.ts flushes its buffer every 250 ms). */
  batchMs: z.coerce.number().int().min(10).max(1000).default(250),
});
export type LoadTestOptions = z.infer<typeof loadTestOptionsSchema>;

export interface LoadTestResult {
  viewers: number;
  rate: number;
  seconds: number;
  batchMs: number;
  sent: number;
  persisted: number;
  lost: number;
  deliveredMin: number;
  missingTotal: number;
  outOfOrder: number;
  viewersDisconnected: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number;
  serverRssStartMb: number;
  serverRssPeakMb: number;
  serverRssEndMb: number;
  serverCpuPercent: number;
  generatorCpuPercent: number;
  sendSeconds: number;
  note: string;
}

const PASSWORD = 'load-test-password-0';
/** How long viewers may take to receive the tail once the server has stored every point. */
const DRAIN_MS = 10_000;

export const SYNTHETIC_NOTE = 'synthetic load (no training) through the real server, its SQLite database and socket.io, all on this machine';

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const quantileMs = (h: LatencyHistogram, q: number) => {
  const ms = h.quantile(q);
  return ms === null ? null : round(ms);
};

export async function runLoadTest(options: LoadTestOptions, progress: (line: string) => void = () => {}): Promise<LoadTestResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-loadtest-'));
  let server: ServerProcess | null = null;
  // Interrupted (Ctrl-C exits the process, see the CLI), the throwaway server and folder go too.
  const removeDataDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  const onExit = () => {
    server?.child.kill('SIGKILL');
    removeDataDir();
  };
  process.once('exit', onExit);
  const workerToken = crypto.randomBytes(24).toString('hex');
  let viewers: Viewer[] = [];
  let worker: WorkerSocket | null = null;
  let sampler: NodeJS.Timeout | undefined;
  try {
    progress(`starting a headless dashboard on ${dataDir}`);
    // No local workers: the synthetic worker claims the run. A tiny demo dataset to launch on.
    server = await startServerProcess({ DATA_DIR: dataDir, WORKER_TOKEN: workerToken, MAX_WORKERS: '0', DEMO_PER_CLASS: '10' });
    const { url } = server;
    if (!server.firstAdminLink) throw new Error(`the dashboard printed no first-admin link:\n${server.logs.join('\n')}`);
    const adminCookie = await joinWithLink(url, server.firstAdminLink, 'admin@loadtest.local', PASSWORD, 'Load Test Admin');
    const admin = makeApi(url, { cookie: adminCookie });
    const { link } = await admin.people.invite.mutate({ role: 'viewer' });
    const viewerCookie = await joinWithLink(url, link, 'viewer@loadtest.local', PASSWORD, 'Load Test Viewer');
    const viewerApi = makeApi(url, { cookie: viewerCookie });

    const run = await admin.runs.launch.mutate({ model: 'cnn', preset: 'smoke', seed: 0 });
    const { socket, job } = await connectAndClaim(url, workerToken);
    worker = socket;
    if (job.runId !== run.id) throw new Error(`the load worker claimed ${job.runId}, not the launched run ${run.id}`);

    const latency = new LatencyHistogram();
    progress(`joining ${options.viewers} viewers to run ${run.id}`);
    viewers = await joinViewers(options.viewers, () => Viewer.join(url, viewerCookie, viewerApi, run.id, latency));

    const total = options.rate * options.seconds;
    progress(`sending ${total} points (${options.rate}/s for ${options.seconds} s, a batch every ${options.batchMs} ms)`);
    const rss = { start: readRss(server.pid).rssMb, peak: 0 };
    rss.peak = rss.start;
    const pid = server.pid;
    sampler = setInterval(() => {
      // A server that died is reported by what follows (the end of the run is not acknowledged).
      if (fs.existsSync(`/proc/${pid}/status`)) rss.peak = Math.max(rss.peak, readRss(pid).rssMb);
    }, 200);
    const cpuStart = { server: readCpuMs(server.pid), generator: process.cpuUsage(), at: performance.now() };
    const { sent } = await emitAtRate(socket, run.id, { rate: options.rate, total, batchMs: options.batchMs });
    const sendSeconds = (performance.now() - cpuStart.at) / 1000;
    if (!(await endRun(socket, run.id, 'load test finished (synthetic points, no training)'))) throw new Error('the server did not accept the end of the run');
    const drainUntil = performance.now() + DRAIN_MS;
    while (performance.now() < drainUntil && viewers.some((v) => v.delivered < sent && !v.disconnected)) await new Promise((r) => setTimeout(r, 50));
    const elapsedMs = performance.now() - cpuStart.at;
    const generatorCpu = process.cpuUsage(cpuStart.generator);
    const serverCpuMs = readCpuMs(server.pid) - cpuStart.server;
    clearInterval(sampler);
    const end = readRss(server.pid).rssMb;

    const db = new Database(path.join(dataDir, 'dashboard.sqlite'), { readonly: true, fileMustExist: true });
    const persisted = (db.prepare('SELECT count(*) AS n FROM metric_points WHERE run_id = ?').get(run.id) as { n: number }).n;
    db.close();
    const deliveredMin = Math.min(...viewers.map((v) => v.delivered));
    return {
      viewers: options.viewers,
      rate: options.rate,
      seconds: options.seconds,
      batchMs: options.batchMs,
      sent,
      persisted,
      lost: sent - persisted,
      deliveredMin,
      missingTotal: viewers.reduce((sum, v) => sum + (sent - v.delivered), 0),
      outOfOrder: viewers.reduce((sum, v) => sum + v.outOfOrder, 0),
      viewersDisconnected: viewers.filter((v) => v.disconnected).length,
      p50Ms: quantileMs(latency, 0.5),
      p95Ms: quantileMs(latency, 0.95),
      p99Ms: quantileMs(latency, 0.99),
      maxMs: round(latency.maxMs),
      serverRssStartMb: round(rss.start),
      serverRssPeakMb: round(Math.max(rss.peak, end)),
      serverRssEndMb: round(end),
      serverCpuPercent: round((100 * serverCpuMs) / elapsedMs),
      generatorCpuPercent: round((100 * (generatorCpu.user + generatorCpu.system)) / 1000 / elapsedMs),
      sendSeconds: round(sendSeconds, 2),
      note: SYNTHETIC_NOTE,
    };
  } finally {
    clearInterval(sampler);
    worker?.close();
    viewers.forEach((v) => v.close());
    await server?.stop();
    process.off('exit', onExit);
    removeDataDir();
  }
}
