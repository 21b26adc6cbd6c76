// A worker agent as a user starts one on another machine (`npm run worker -- --server … --token
// …` from a checkout of the project): its own process, its own empty cache folder outside the
// server's DATA_DIR, and no DATA_DIR, server secret or server address in its environment.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestAgent {
  id: string;
  proc: ChildProcess;
  cache: string;
  logs: string[];
  exited: Promise<number | null>;
  /** Resolves once a log line matches (rejects after timeoutMs). */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  stop: () => Promise<void>;
}

export function startAgent(opts: { server: string; token: string; id: string; redisUrl?: string; redisPrefix?: string; args?: string[] }): TestAgent {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), `mri-agent-${opts.id}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: opts.redisUrl ?? '', REDIS_PREFIX: opts.redisPrefix ?? 'mri' };
  delete env.DATA_DIR;
  delete env.WORKER_TOKEN;
  delete env.SERVER_URL;
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'workers', 'agent', 'main.ts'), '--server', opts.server, '--token', opts.token, '--id', opts.id, '--cache', cache, ...(opts.args ?? [])], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const listeners = new Set<(line: string) => void>();
  let partial = '';
  const onData = (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      logs.push(line);
      if (process.env.DEBUG_AGENTS) console.error(line);
      for (const l of listeners) l(line);
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const seen = logs.find((l) => pattern.test(l));
      if (seen) return resolve(seen);
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`agent ${opts.id}: no log line matched ${pattern} within ${timeoutMs} ms:\n${logs.slice(-30).join('\n')}`));
      }, timeoutMs);
      const check = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(line);
      };
      listeners.add(check);
    });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    fs.rmSync(cache, { recursive: true, force: true });
  };
  return { id: opts.id, proc, cache, logs, exited, waitFor, stop };
}
