// One dashboard per DATA_DIR: two would both recover "interrupted" runs, hand out the same queue
// and advance the same studies. The dashboard holds a lock (proper-lockfile: a lock directory whose
// time it refreshes) with a note of who holds it beside it; a second dashboard refuses to start
// and names the first. Command-line processes (origin cli-<pid>) take no lock and share DATA_DIR.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { processAlive } from './process-alive';

const LOCK_DIR = 'dashboard.lock';
const OWNER_FILE = 'dashboard.lock.json';
/** A holder that stops refreshing its lock for this long (a frozen or killed process on another
 * host sharing the folder) no longer holds it. */
const STALE_MS = 30_000;

const ownerSchema = z.object({ pid: z.number().int(), host: z.string(), startedAt: z.string(), url: z.string().optional() });
export type LockOwner = z.infer<typeof ownerSchema>;

export class DataDirLockedError extends Error {}

function readOwner(dataDir: string): LockOwner | null {
  // Missing or half-written while its dashboard starts: the refusal then names nobody.
  try {
    return ownerSchema.parse(JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE), 'utf8')));
  } catch {
    return null;
  }
}

function refusal(dataDir: string, owner: LockOwner | null): DataDirLockedError {
  const who = owner
    ? `process ${owner.pid} on host ${owner.host}, started ${owner.startedAt}${owner.url ? `, serving ${owner.url}` : ''}`
    : 'another process (it has not said which yet)';
  return new DataDirLockedError(
    `Another dashboard is already running on DATA_DIR ${dataDir}: ${who}. ` +
      'Stop that one first, or start this one with another DATA_DIR. (Command-line tools such as npm run train may share the folder with it.)',
  );
}

/** A lock left by a dashboard of this host whose process is gone (killed with -9) is removed at once. */
function removeIfDead(dataDir: string, owner: LockOwner | null): boolean {
  if (!owner || owner.host !== os.hostname() || owner.pid === process.pid || processAlive(owner.pid)) return false;
  fs.rmSync(path.join(dataDir, LOCK_DIR), { recursive: true, force: true });
  return true;
}

export interface DataDirLock {
  /** Names where this dashboard serves in the lock note, once it listens. */
  describe: (url: string) => void;
  release: () => Promise<void>;
}

/** Takes DATA_DIR for this dashboard, or throws DataDirLockedError naming the one that holds it. */
export async function lockDataDir(dataDir: string, log: (line: string) => void): Promise<DataDirLock> {
  fs.mkdirSync(dataDir, { recursive: true });
  const options = {
    realpath: false,
    lockfilePath: path.join(dataDir, LOCK_DIR),
    stale: STALE_MS,
    // A refresh that fails (the folder gone, a clock jump) is worth a line, not the whole server.
    onCompromised: (err: Error) => log(`the lock on DATA_DIR ${dataDir} was lost: ${err.message}`),
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, options);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    const owner = readOwner(dataDir);
    if (!removeIfDead(dataDir, owner)) throw refusal(dataDir, owner);
    log(`removed the DATA_DIR lock of dashboard process ${owner?.pid}, which is no longer running`);
    release = await lockfile.lock(dataDir, options).catch((again: { code?: string }) => {
      throw again.code === 'ELOCKED' ? refusal(dataDir, readOwner(dataDir)) : again;
    });
  }
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  const write = () => fs.writeFileSync(path.join(dataDir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  write();
  let released = false;
  return {
    describe: (url) => {
      owner.url = url;
      write();
    },
    release: async () => {
      if (released) return;
      released = true;
      fs.rmSync(path.join(dataDir, OWNER_FILE), { force: true });
      await release().catch((err: Error) => log(`could not release the lock on DATA_DIR ${dataDir}: ${err.message}`));
    },
  };
}
