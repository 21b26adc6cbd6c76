// A headless dashboard (server/headless.ts) as a child process on a given DATA_DIR: its address,
// its log, the first-admin link it prints, and its memory and CPU read from /proc, apart from the
// process that drives it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Every line it logged (stderr). */
  logs: string[];
  /** The one-time link it printed for the first admin, if nobody has an account yet. */
  firstAdminLink: string | null;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts it and resolves once it listens; rejects with its log if it exits first. */
export function startServerProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/headless.ts')], {
    cwd: repoRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => logs.push(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`the dashboard process did not start within ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Its last lines arrive just after the exit: give them a moment.
      setTimeout(() => reject(Object.assign(new Error(`the dashboard process exited (${signal ?? code}) before listening:\n${logs.join('\n')}`), { logs })), 100);
    });
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      const ready = JSON.parse(line) as { url: string; pid: number };
      const firstAdminLink = logs.map((l) => /Create the first admin account: (\S+)/.exec(l)?.[1]).find(Boolean) ?? null;
      resolve({ url: ready.url, pid: ready.pid, child, logs, firstAdminLink, stop });
    });
  });
}

/** Resident memory now (VmRSS) and the process's peak (VmHWM), in MiB, from /proc. */
export function readRss(pid: number): { rssMb: number; hwmMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** CPU time the process has used so far (user + system), in ms. */
export function readCpuMs(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}
