// Shared by the command-line tools: launch one run on the dashboard they work with (an embedded
// headless server, or a running dashboard with --server and --token: dashboard.ts), draw its
// progress on stderr, cancel it on Ctrl-C, and resolve with the finished run.
import { TRPCClientError } from '@trpc/client';
import type { RunView } from '../../lib/contracts/events';
import type { Api, Dashboard } from './dashboard';

function progressLine(run: RunView): string {
  const width = 30;
  const filled = Math.round(run.progress * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(run.progress * 100).toFixed(0).padStart(3)}% ${run.status}`;
}

const finished = (run: RunView) => run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled';

/** Asked over tRPC as well, this often, in case the socket missed the last update (a dropped
 * connection to a remote dashboard). */
const RECHECK_MS = 15_000;

export async function launchAndWatch(dashboard: Dashboard, launch: (api: Api) => Promise<RunView>): Promise<RunView> {
  const { api } = dashboard;
  let runId = '';
  // Ctrl-C cancels the run (recorded as such) and stops its worker before exiting.
  const interrupt = () => {
    console.error('\ninterrupted: cancelling the run');
    const cancel = runId ? api.runs.cancel.mutate({ id: runId }).catch(() => undefined) : Promise.resolve();
    void cancel.then(() => dashboard.local?.close()).finally(() => process.exit(130));
  };
  onInterrupt(interrupt);
  const socket = await dashboard.live();
  let timer: NodeJS.Timeout | undefined;
  // Updates that arrive before the launch has answered with the run's id.
  const early = new Map<string, RunView>();
  let seen: (run: RunView) => void = () => {};
  try {
    const done = new Promise<RunView>((resolve, reject) => {
      seen = (run) => {
        if (!runId) return void early.set(run.id, run);
        if (run.id !== runId) return;
        if (process.stderr.isTTY) process.stderr.write(`\r${progressLine(run)}`);
        if (finished(run)) resolve(run);
      };
      socket.on('run:updated', (run) => seen(run));
      // The server closes the socket when the token is revoked or its owner removed.
      socket.on('disconnect', (reason) => {
        if (reason === 'io server disconnect') reject(new Error('The dashboard closed the live connection: the token was revoked, or its owner removed. The run goes on there.'));
      });
      timer = setInterval(() => {
        if (!runId) return;
        api.runs.get.query({ id: runId }).then(
          ({ run }) => seen(run),
          (err: unknown) => {
            const status = err instanceof TRPCClientError ? (err.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
            // A refused token ends the watch; a network hiccup is asked again next time.
            if (status === 401 || status === 403) reject(err);
          },
        );
      }, RECHECK_MS);
    });
    const launched = await launch(api);
    runId = launched.id;
    const before = early.get(runId);
    early.clear();
    if (before) seen(before);
    const run = await done;
    if (process.stderr.isTTY) process.stderr.write('\n');
    return run;
  } finally {
    clearInterval(timer);
    socket.close();
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
