// A synthetic worker: speaks the "/workers" protocol as workers/main.ts does (hello, claim a
// queued run, metric points in batches, then the run's end with its acknowledgement) but trains
// nothing; each point's value is the moment its batch was emitted (performance.now() of this
// process, where the viewers also read the clock), so a viewer can tell each point's latency.
import os from 'node:os';
import { io, type Socket } from 'socket.io-client';
import { jobSchema, type Job, type MetricPoint, type ServerToWorkerEvents, type WorkerToServerEvents } from '../../lib/contracts/events';
import { METRICS } from '../../lib/contracts/metrics';

export type WorkerSocket = Socket<ServerToWorkerEvents, WorkerToServerEvents>;

/** The most points one run:metrics message may carry (workerMetricsSchema). */
const MAX_BATCH = 5000;

/** Connects with the server's worker secret (or a worker token), says hello and claims a run. */
export async function connectAndClaim(url: string, token: string, workerId = `w-loadtest-${process.pid}`): Promise<{ socket: WorkerSocket; job: Job }> {
  const socket: WorkerSocket = io(`${url}/workers`, { auth: { token }, reconnection: false, transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(new Error(`the /workers namespace refused the load worker: ${err.message}`)));
  });
  socket.emit('worker:hello', { workerId, pid: process.pid, host: os.hostname(), backend: 'loadtest' });
  const raw = await socket.timeout(10_000).emitWithAck('job:claim');
  if (!raw) {
    socket.close();
    throw new Error('the load worker found no queued run to claim');
  }
  return { socket, job: jobSchema.parse(raw) };
}

/** `count` points numbered from `firstStep`, stamped with the time they are emitted. */
export function stampedPoints(firstStep: number, count: number, name: MetricPoint['name'] = METRICS.trainLoss): MetricPoint[] {
  const now = performance.now();
  return Array.from({ length: count }, (_, i) => ({ step: firstStep + i, epoch: 0, name, value: now }));
}

/** Emits `total` points at `rate` per second, a batch every `batchMs`, as a worker's point
 * buffer does; the number due is computed from the clock, so a late timer sends more, not fewer. */
export function emitAtRate(socket: WorkerSocket, runId: string, opts: { rate: number; total: number; batchMs: number }): Promise<{ sent: number; batches: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let sent = 0;
    let batches = 0;
    const tick = () => {
      const due = Math.min(opts.total, Math.floor((opts.rate * (performance.now() - started)) / 1000));
      while (sent < due) {
        const n = Math.min(MAX_BATCH, due - sent);
        socket.emit('run:metrics', { runId, points: stampedPoints(sent, n) });
        sent += n;
        batches += 1;
      }
      if (sent >= opts.total) {
        clearInterval(timer);
        resolve({ sent, batches });
      }
    };
    const timer = setInterval(tick, opts.batchMs);
  });
}

/** Ends the run as a worker whose run stopped does; the ack comes after every earlier message
 * of this socket was handled, so the server has stored all points by then. */
export async function endRun(socket: WorkerSocket, runId: string, error: string): Promise<boolean> {
  return socket.timeout(30_000).emitWithAck('run:fail', { runId, error });
}
