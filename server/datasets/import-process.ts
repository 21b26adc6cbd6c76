// Runs one import job in its own process (workers/import-main.ts, forked with tsx like the
// training workers) so the dashboard keeps answering while thousands of images are decoded and
// preprocessed. Every message from the process is validated against lib/contracts/import.ts.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importReplySchema, type ImportJob, type StagedImport } from '../../lib/contracts/import';
import { ImportError, type ImportProgress } from '../../workers/data/import/limits';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STDERR_TAIL = 4000;
/** The import process parses untrusted archives and images: it gets the environment Node, tsx and
 * libvips read, and none of the server's secrets (AUTH_SECRET, WORKER_TOKEN…). */
const INHERITED_ENV = /^(PATH|HOME|TMPDIR|TEMP|TMP|LANG|LC_\w+|TZ|NODE_\w+|UV_THREADPOOL_SIZE|TSX_\w+|VIPS_\w+|SHARP_\w+)$/;

/** The import process failed for a reason that is not the input's: it crashed, was killed, broke
 * the contract or hit a bug. Nothing was imported. */
export class ImportProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportProcessError';
  }
}

/** Stages `job` in a new import process. Rejects with ImportError (the input's fault, the
 * message the user should read) or ImportProcessError. */
export function runImportProcess(job: ImportJob, onProgress?: ImportProgress): Promise<StagedImport> {
  return new Promise((resolve, reject) => {
    // Its stdout goes to our stderr: a command's stdout carries only its result (`--json`).
    const child = fork(path.join(repoRoot, 'workers', 'import-main.ts'), [], {
      cwd: repoRoot,
      execArgv: ['--import', 'tsx'],
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => INHERITED_ENV.test(name))), NODE_ENV: process.env.NODE_ENV },
      stdio: ['ignore', 2, 'pipe', 'ipc'],
    });
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL);
    });
    let settled = false;
    const settle = (outcome: { result: StagedImport } | { error: Error }) => {
      if (settled) return;
      settled = true;
      if ('error' in outcome) {
        // The process may still run (a broken contract): it must not keep staging files.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(outcome.error);
      } else resolve(outcome.result);
    };
    child.on('message', (raw) => {
      const message = importReplySchema.safeParse(raw);
      if (!message.success) return settle({ error: new ImportProcessError(`the import process sent a malformed message (${message.error.issues[0]?.message ?? 'unknown'}); nothing was imported`) });
      const m = message.data;
      if (m.type === 'progress') {
        // A throwing listener fails this import, as it would have in-process, not the server.
        try {
          onProgress?.(m.phase, m.done, m.total);
        } catch (err) {
          settle({ error: err instanceof Error ? err : new Error(String(err)) });
        }
      } else if (m.type === 'staged') settle({ result: m.result });
      else settle({ error: m.kind === 'input' ? new ImportError(m.message) : new ImportProcessError(`the import process hit an internal error: ${m.message}; nothing was imported`) });
    });
    child.once('error', (err) => settle({ error: new ImportProcessError(`the import process could not be started: ${err.message}`) }));
    // 'close' comes after the last message was delivered, so a reply is never mistaken for a crash.
    child.once('close', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const lastLine = stderrTail.trim().split('\n').at(-1);
      settle({ error: new ImportProcessError(`the import process (pid ${child.pid}) ${how} before it finished${lastLine ? ` (${lastLine})` : ''}; nothing was imported`) });
    });
    child.send({ type: 'import', job });
  });
}
