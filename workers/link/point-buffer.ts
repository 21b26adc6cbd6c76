// Batches a run's metric points so a fast loop sends a few socket messages a second, not one per
// step (the server's own workers and agents alike).
import type { Socket } from 'socket.io-client';
import type { MetricPoint, ServerToWorkerEvents, WorkerToServerEvents } from '../../lib/contracts/events';

export type WorkerSocket = Socket<ServerToWorkerEvents, WorkerToServerEvents>;

export class PointBuffer {
  private points: MetricPoint[] = [];
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly socket: WorkerSocket, private readonly runId: string) {}
  push(points: MetricPoint[]) {
    this.points.push(...points);
    this.timer ??= setTimeout(() => this.flush(), 250);
  }
  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.points.length > 0) this.socket.emit('run:metrics', { runId: this.runId, points: this.points.splice(0) });
  }
}
