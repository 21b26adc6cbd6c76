// Where the command-line tools launch: by default an embedded headless server on this machine's
// DATA_DIR, acting as the system actor; with `--server URL --token T` a running dashboard, acting
// as the token's owner (their role; "launched by" names them). Either way the tools speak tRPC
// over HTTP and follow the run on a socket.io connection, so both paths run the same code.
import fs from 'node:fs';
import { z } from 'zod';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { io, type Socket } from 'socket.io-client';
import { startServer, type RunningServer } from '../index';
import type { AppRouter } from '../api/root';
import type { BrowserToServerEvents, ServerToBrowserEvents } from '../../lib/contracts/events';
import { apiTokenSchema } from '../../lib/contracts/tokens';

export type Api = ReturnType<typeof createTRPCClient<AppRouter>>;
export type LiveSocket = Socket<ServerToBrowserEvents, BrowserToServerEvents>;

export interface Dashboard {
  api: Api;
  /** Opens a socket of the dashboard's live events; resolves once it is connected. */
  live: () => Promise<LiveSocket>;
  /** The embedded server (its database and data folder are this machine's); null with --server. */
  local: RunningServer | null;
}

/** The options every launching tool takes besides its own. */
export const dashboardOptions = { server: { type: 'string' }, token: { type: 'string' } } as const;

const targetSchema = z
  .object({
    server: z.url({ protocol: /^https?$/, error: 'the dashboard address, such as https://lab.example.org' }).transform((u) => new URL(u).origin).optional(),
    token: apiTokenSchema.optional(),
  })
  .refine((t) => !t.token || t.server, { message: 'a token is for a running dashboard: give its address with --server', path: ['server'] })
  .refine((t) => !t.server || t.token, { message: 'a running dashboard needs your API token (make one under Settings there): --token, or MRI_TOKEN', path: ['token'] });
export type Target = z.infer<typeof targetSchema>;

/** --server and --token (or MRI_TOKEN, which keeps the token out of the process list). */
export function parseTarget(values: { server?: string; token?: string }): z.ZodSafeParseResult<Target> {
  return targetSchema.safeParse({ server: values.server, token: values.token ?? (values.server ? process.env.MRI_TOKEN : undefined) });
}

/** A socket.io client of the in-process server's live events, admitted by its system credential. */
export function systemSocket(server: RunningServer): LiveSocket {
  return io(server.url, { transports: ['websocket'], auth: server.system.socketAuth });
}

function connected(socket: LiveSocket, where: string): Promise<LiveSocket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`${where} refused the live connection: ${err.message}`));
    });
  });
}

/** Checks that a dashboard answers at `url` before anything is launched there. */
async function reach(url: string): Promise<void> {
  const res = await fetch(`${url}/api/health`).catch((err: Error) => {
    throw new Error(`No dashboard answers at ${url}: ${err.cause instanceof Error ? err.cause.message : err.message}`);
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: string } | null;
    throw new Error(`The dashboard at ${url} answered ${res.status}: ${body?.error ?? res.statusText}`);
  }
}

/** Runs `fn` against the dashboard the arguments name, or an embedded headless server. */
export async function withDashboard(target: Target, fn: (dashboard: Dashboard) => Promise<void>): Promise<void> {
  if (target.server && target.token) {
    const { server, token } = target;
    await reach(server);
    const api = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server}/api/trpc`, headers: { authorization: `Bearer ${token}` } })] });
    await fn({ api, live: () => connected(io(server, { transports: ['websocket'], auth: { token } }), `The dashboard at ${server}`), local: null });
    return;
  }
  // The embedded server, on the shared DATA_DIR, marked as this process's. It listens on loopback
  // whatever HOST the dashboard uses: nobody else has anything to do with it.
  const server = await startServer({ withNext: false, origin: `cli-${process.pid}`, env: { PORT: 0, HOST: '127.0.0.1' }, log: (l) => console.error(`[server] ${l}`) });
  try {
    const api = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/api/trpc`, headers: server.system.headers })] });
    await fn({ api, live: () => connected(systemSocket(server), 'The embedded server'), local: server });
  } finally {
    await server.close();
  }
}

/** A dataset named by its name or id among the dashboard's; with the embedded server, a folder,
 * .zip or NIfTI path is imported first (against a running dashboard, upload it on its Datasets page). */
export async function resolveDataset(dashboard: Dashboard, nameOrPath: string, onImport: (source: string) => Promise<string>): Promise<string> {
  const all = await dashboard.api.datasets.list.query();
  const match = all.find((d) => d.name === nameOrPath) ?? all.find((d) => d.id === nameOrPath);
  if (match) return match.id;
  const names = all.map((d) => d.name).join(', ');
  if (fs.existsSync(nameOrPath)) {
    if (dashboard.local) return onImport(nameOrPath);
    throw new Error(`"${nameOrPath}" is a local path; with --server, name a dataset stored on that dashboard (${names}) or upload it on its Datasets page first`);
  }
  throw new Error(`"${nameOrPath}" is neither a stored dataset (${names}) nor a folder, .zip or NIfTI file`);
}
