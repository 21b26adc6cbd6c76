// Shared by the command-line tools: launch one run on an embedded headless server, draw its
// progress on stderr, cancel it on Ctrl-C, and resolve with the finished run. The tools act as the
// system actor (every right, no person recorded) through the server's in-process credential.
import { io, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../index';
import { appRouter } from '../api/root';
import type { BrowserToServerEvents, RunView, ServerToBrowserEvents } from '../../lib/contracts/events';

function progressLine(run: RunView): string {
  const width = 30;
  const filled = Math.round(run.progress * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(run.progress * 100).toFixed(0).padStart(3)}% ${run.status}`;
}

export type Caller = ReturnType<typeof appRouter.createCaller>;

export async function launchAndWatch(server: RunningServer, launch: (caller: Caller) => Promise<RunView>): Promise<RunView> {
  const caller = systemCaller(server);
  let runId = '';
  // Ctrl-C cancels the run (recorded as such) and stops its worker before exiting.
  const interrupt = () => {
    console.error('\ninterrupted: cancelling the run');
    const cancel = runId ? caller.runs.cancel({ id: runId }).catch(() => undefined) : Promise.resolve();
    void cancel.then(() => server.close()).finally(() => process.exit(130));
  };
  onInterrupt(interrupt);
  const socket = systemSocket(server);
  try {
    const finished = new Promise<RunView>((resolve) => {
      socket.on('run:updated', (run) => {
        if (run.id !== runId) return;
        if (process.stderr.isTTY) process.stderr.write(`\r${progressLine(run)}`);
        if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') resolve(run);
      });
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const launched = await launch(caller);
    runId = launched.id;
    const run = await finished;
    if (process.stderr.isTTY) process.stderr.write('\n');
    return run;
  } finally {
    socket.close();
  }
}

/** tRPC procedures called in-process, as the system actor. */
export function systemCaller(server: RunningServer): Caller {
  return appRouter.createCaller(server.system.context);
}

/** A socket.io client of the in-process server's live events, admitted by its system credential. */
export function systemSocket(server: RunningServer): Socket<ServerToBrowserEvents, BrowserToServerEvents> {
  return io(server.url, { transports: ['websocket'], auth: server.system.socketAuth });
}

/** An embedded server (no pages) on the shared DATA_DIR, marked as this process's. It listens on
 * loopback whatever HOST the dashboard uses: nobody else has anything to do with it. */
export async function withHeadlessServer(fn: (server: RunningServer) => Promise<void>): Promise<void> {
  const server = await startServer({ withNext: false, origin: `cli-${process.pid}`, env: { PORT: 0, HOST: '127.0.0.1' }, log: (l) => console.error(`[server] ${l}`) });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** Runs a command's main: exit 0 on success, the error's message and exit 1 on failure. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

/** Runs `handler` on the first SIGINT or SIGTERM and ignores the rest. Ctrl-C reaches this process
 * twice (from the terminal and relayed by tsx); with a one-shot listener the second signal would
 * kill the process in the middle of cancelling. */
export function onInterrupt(handler: () => void): void {
  let interrupted = false;
  const once = () => {
    if (interrupted) return;
    interrupted = true;
    handler();
  };
  process.on('SIGINT', once);
  process.on('SIGTERM', once);
}
