// Viewers of a run page: socket.io clients signed in with a session cookie that join the run's
// room as app/lib/use-run.ts does (subscribe, wait for the ack, load the history over tRPC) and
// count what reaches them. Points carry their emit time (load-worker.ts) and consecutive steps,
// so each receipt gives a latency, a skipped step a missing point, and a repeat one out of order.
import { io, type Socket } from 'socket.io-client';
import type { BrowserToServerEvents, ServerToBrowserEvents, StoredMetricPoint } from '../../lib/contracts/events';
import { LatencyHistogram } from './latency';
import type { Api } from './session';

type BrowserSocket = Socket<ServerToBrowserEvents, BrowserToServerEvents>;

export class Viewer {
  /** Distinct points received (steps are consecutive from 0, so a skipped step is a missing point). */
  delivered = 0;
  /** Points that came again, or after a later step. */
  outOfOrder = 0;
  private nextStep = 0;
  disconnected: string | null = null;

  private constructor(private readonly socket: BrowserSocket, private readonly latency: LatencyHistogram) {}

  static async join(url: string, cookie: string, api: Api, runId: string, latency: LatencyHistogram): Promise<Viewer> {
    // A browser's socket: websocket transport, its cookie and this dashboard's Origin; no silent
    // reconnection, so a dropped viewer shows in the figures.
    const socket: BrowserSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie, origin: url } });
    const viewer = new Viewer(socket, latency);
    socket.on('run:metrics', (msg) => msg.runId === runId && viewer.receive(msg.points));
    socket.on('disconnect', (reason) => (viewer.disconnected = reason));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(new Error(`a viewer could not connect: ${err.message}`)));
    });
    const joined = await socket.timeout(30_000).emitWithAck('run:subscribe', { runId });
    if (!joined) throw new Error(`the server refused to let a viewer join run ${runId}`);
    const [, history] = await Promise.all([api.runs.get.query({ id: runId }), api.runs.metrics.query({ id: runId })]);
    viewer.receive(history);
    return viewer;
  }

  private receive(points: StoredMetricPoint[]): void {
    const now = performance.now();
    for (const p of points) {
      if (p.step < this.nextStep) {
        this.outOfOrder += 1;
        continue;
      }
      this.nextStep = p.step + 1;
      this.delivered += 1;
      this.latency.add(now - p.value);
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Joins `count` viewers, `concurrency` handshakes at a time. */
export async function joinViewers(count: number, join: () => Promise<Viewer>, concurrency = 25): Promise<Viewer[]> {
  const viewers: Viewer[] = [];
  while (viewers.length < count) {
    viewers.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, count - viewers.length) }, join))));
  }
  return viewers;
}
