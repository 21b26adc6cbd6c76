// One run on a worker agent, which shares no disk with the server: the job's datasets come from
// the local cache (fetched by content hash), a synthesis run's generator checkpoints and a resumed
// run's saved state are fetched as bundles, the run trains in a child process in a folder of its
// own, and what it keeps goes back as bundles: each epoch's checkpoint and resume state as soon
// as they are written (so a lost agent's run resumes elsewhere), a synthesis run's dataset before
// it reports. Points, logs, progress and images stream over the agent's socket as from any worker.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from '../../lib/contracts/events';
import { checkpointDirName } from '../models/checkpoint';
import { PointBuffer, type WorkerSocket } from '../link/point-buffer';
import type { DatasetCache } from './dataset-cache';
import type { ServerFiles } from './server-files';
import { fromChildSchema, type ToChild } from './ipc';

const here = path.dirname(fileURLToPath(import.meta.url));
const childEntry = path.join(here, 'child.ts');
const repoRoot = path.resolve(here, '../..');

export interface RemoteRunDeps {
  socket: WorkerSocket;
  files: ServerFiles;
  cache: DatasetCache;
  /** The agent's folder: runs/<run> for each run's work, encoders/ for the domain encoders. */
  root: string;
  threads: number;
  log: (line: string) => void;
}

export interface RemoteRun {
  /** Settles once the run has been reported (complete or failed) or the socket is gone. */
  done: Promise<'complete' | 'failed'>;
  cancel: () => void;
}

/** Mirrors the run's checkpoints to the server: new epochs uploaded, pruned ones removed. */
class CheckpointMirror {
  private readonly uploaded = new Set<string>();
  constructor(private readonly runId: string, private readonly dir: string, private readonly files: ServerFiles) {}
  async sync(): Promise<void> {
    const local = fs.existsSync(this.dir) ? fs.readdirSync(this.dir).filter((n) => /^epoch-\d+$/.test(n)) : [];
    for (const name of local.filter((n) => !this.uploaded.has(n)).sort()) {
      await this.files.uploadBundle(this.runId, `checkpoints/${name}`, path.join(this.dir, name));
      this.uploaded.add(name);
    }
    for (const name of [...this.uploaded].filter((n) => !local.includes(n))) {
      await this.files.deleteBundle(this.runId, `checkpoints/${name}`);
      this.uploaded.delete(name);
    }
  }
}

/** The job with every folder on this machine; fetches what the run reads. */
async function localize(job: Job, work: string, deps: RemoteRunDeps, pins: string[]): Promise<Job> {
  const dataset = async (d: Job['dataset']) => {
    const got = await deps.cache.acquire(d.contentHash);
    pins.push(d.contentHash);
    return { ...d, dir: got.dir };
  };
  const artifacts = path.join(work, 'artifacts');
  fs.mkdirSync(artifacts, { recursive: true });
  const generators = [];
  for (const g of job.generators) {
    const name = `checkpoints/${checkpointDirName(g.epoch)}`;
    const dir = path.join(work, 'generators', g.runId, checkpointDirName(g.epoch));
    if (!(await deps.files.fetchBundle(g.runId, name, dir))) throw new Error(`the server has no checkpoint of epoch ${g.epoch} of generator run ${g.runId}`);
    generators.push({ ...g, checkpointDir: dir });
  }
  if (job.resume && !(await deps.files.fetchBundle(job.runId, 'resume', path.join(artifacts, 'resume')))) {
    throw new Error(`the server has no saved state to resume run ${job.runId} after epoch ${job.resume.epoch}`);
  }
  return {
    ...job,
    dataset: await dataset(job.dataset),
    synthetic: job.synthetic ? await dataset(job.synthetic) : null,
    generators,
    paths: { artifacts, encoders: path.join(deps.root, 'encoders'), staging: path.join(work, 'staging') },
  };
}

export function startRemoteRun(job: Job, deps: RemoteRunDeps): RemoteRun {
  const { socket, files, log } = deps;
  const runId = job.runId;
  const work = path.join(deps.root, 'runs', runId);
  const pins: string[] = [];
  const buffer = new PointBuffer(socket, runId);
  let child: ChildProcess | null = null;
  let cancelled = false;

  const failWith = async (error: string) => {
    log(`run ${runId} failed: ${error}`);
    buffer.flush();
    await socket.timeout(30_000).emitWithAck('run:fail', { runId, error }).catch(() => undefined);
    return 'failed' as const;
  };

  const run = async (): Promise<'complete' | 'failed'> => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    let local: Job;
    try {
      local = await localize(job, work, deps, pins);
    } catch (err) {
      return failWith(`the agent could not prepare the run: ${err instanceof Error ? err.message : err}`);
    }
    if (cancelled) return failWith('stopped: cancelled before it started');
    const mirror = new CheckpointMirror(runId, path.join(local.paths.artifacts, 'checkpoints'), files);
    const proc = fork(childEntry, [], { cwd: repoRoot, execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child = proc;
    const send = (msg: ToChild) => {
      if (proc.connected) proc.send(msg);
    };
    const reply = (id: number, work: () => Promise<void>) =>
      work().then(
        () => send({ type: 'reply', id, ok: true }),
        (err) => send({ type: 'reply', id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
    return new Promise<'complete' | 'failed'>((resolve) => {
      let settled = false;
      const settle = (outcome: Promise<'complete' | 'failed'>) => {
        if (settled) return;
        settled = true;
        outcome.then(resolve, () => resolve('failed'));
      };
      proc.on('message', (raw) => {
        const parsed = fromChildSchema.safeParse(raw);
        if (!parsed.success) return log(`run ${runId}: ignored a malformed message from the training process`);
        const m = parsed.data;
        switch (m.type) {
          case 'ready':
            return;
          case 'log':
            return void socket.emit('run:log', { runId, level: m.level, message: m.message });
          case 'metrics':
            return buffer.push(m.points);
          case 'progress':
            return void socket.emit('run:progress', { runId, epoch: m.epoch, step: m.step, totalSteps: m.totalSteps });
          case 'image':
            buffer.flush();
            return void socket.emit('run:image', { runId, step: m.step, kind: m.kind, png: Buffer.from(m.png).toString('base64') });
          case 'request':
            if (m.what === 'sync') {
              return void reply(m.id, async () => {
                buffer.flush();
                if (!(await socket.timeout(30_000).emitWithAck('run:sync', { runId }))) throw new Error('the server no longer holds this run for this worker');
              });
            }
            // The epoch's checkpoint first, then the state that names it.
            return void reply(m.id, async () => {
              await mirror.sync();
              await files.uploadBundle(runId, 'resume', path.join(local.paths.artifacts, 'resume'));
            });
          case 'complete':
            return settle(
              (async () => {
                try {
                  await mirror.sync();
                  if (job.config.model === 'synth') await files.uploadBundle(runId, 'staging', local.paths.staging);
                } catch (err) {
                  return failWith(`its results could not be uploaded: ${err instanceof Error ? err.message : err}`);
                }
                buffer.flush();
                await socket.timeout(30_000).emitWithAck('run:complete', { runId, ...m.outcome }).catch(() => undefined);
                return 'complete' as const;
              })(),
            );
          case 'fail':
            return settle(failWith(m.error));
        }
      });
      proc.once('exit', (code, signal) => {
        // Its last messages may still be on their way: they win if they come within a second.
        setTimeout(() => settle(failWith(`the training process ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before it reported (out of memory?)`)), 1000);
      });
      send({ type: 'start', job: local, threads: deps.threads });
      if (cancelled) send({ type: 'cancel' });
    });
  };

  const done = run().finally(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const hash of pins) deps.cache.release(hash);
    fs.rmSync(work, { recursive: true, force: true });
  });
  return {
    done,
    cancel: () => {
      cancelled = true;
      if (child?.connected) child.send({ type: 'cancel' } satisfies ToChild);
    },
  };
}
