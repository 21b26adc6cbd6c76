// Starts a real headless server (tRPC + socket.io + scheduler + worker processes) on a free port
// with its own temporary DATA_DIR, and gives tests typed tRPC and socket.io clients for it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { io, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../../server/index';
import type { AppRouter } from '../../server/api/root';
import type { BrowserToServerEvents, RunView, ServerToBrowserEvents } from '../../lib/contracts/events';

export const TEST_WORKER_TOKEN = 'test-worker-token-0123456789';

export interface TestServer extends RunningServer {
  dataDir: string;
  api: ReturnType<typeof createTRPCClient<AppRouter>>;
  browser: () => Promise<Socket<ServerToBrowserEvents, BrowserToServerEvents>>;
  stop: () => Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mri-dash-'));
  const server = await startServer({
    withNext: false,
    env: { PORT: 0, DATA_DIR: dataDir, DEMO_PER_CLASS: 60, WORKER_TOKEN: TEST_WORKER_TOKEN, MAX_WORKERS: 1 },
    log: () => {},
  });
  const api = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/api/trpc` })] });
  const sockets: Socket[] = [];
  const browser = async () => {
    const socket: Socket<ServerToBrowserEvents, BrowserToServerEvents> = io(server.url, { transports: ['websocket'], forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };
  const stop = async () => {
    sockets.forEach((s) => s.close());
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { ...server, dataDir, api, browser, stop };
}

/** Resolves with the run once `predicate` holds for a pushed update (rejects after timeoutMs). */
export function waitForRun(socket: Socket<ServerToBrowserEvents, BrowserToServerEvents>, runId: string, predicate: (run: RunView) => boolean, timeoutMs = 120_000): Promise<RunView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`run ${runId}: condition not met within ${timeoutMs} ms`)), timeoutMs);
    const onUpdate = (run: RunView) => {
      if (run.id !== runId || !predicate(run)) return;
      clearTimeout(timer);
      socket.off('run:updated', onUpdate);
      resolve(run);
    };
    socket.on('run:updated', onUpdate);
  });
}
