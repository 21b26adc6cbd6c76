// The training child of a worker agent: one run, then exit. It loads the engine, runs the job the
// agent localised (datasets and folders on this machine) and reports through IPC. When the agent
// goes away (its IPC channel closes) the child stops at the next step and exits: a run is never
// trained by a process nobody listens to.
import { initEngine } from '../engine/backend';
import { runModelJob } from '../jobs/run-job';
import { RunStoppedError } from '../train/epoch-loop';
import type { JobContext } from '../jobs/context';
import { toChildSchema, type FromChild } from './ipc';

const send = (msg: FromChild) => {
  if (process.connected) process.send?.(msg);
};

let cancelled = false;
let nextId = 1;
const waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

function request(what: 'sync' | 'saved'): Promise<void> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    send({ type: 'request', id, what });
  });
}

async function start(job: import('../../lib/contracts/events').Job, threads: number): Promise<void> {
  const engine = await initEngine();
  send({ type: 'ready', backend: engine.backend });
  const ctx: JobContext = {
    backend: engine.backend,
    threads,
    log: (level, message) => send({ type: 'log', level, message }),
    metrics: (points) => send({ type: 'metrics', points }),
    progress: (epoch, step, totalSteps) => send({ type: 'progress', epoch, step, totalSteps }),
    image: (step, kind, png) => send({ type: 'image', step, kind, png: new Uint8Array(png) }),
    shouldStop: () => cancelled || !process.connected,
    sync: () => request('sync'),
    saved: () => request('saved'),
  };
  try {
    const outcome = await runModelJob(job, ctx);
    send({ type: 'complete', outcome });
  } catch (err) {
    const stopped = err instanceof RunStoppedError;
    send({ type: 'fail', error: stopped ? `stopped: ${err.message}` : err instanceof Error ? err.message : String(err), stopped });
  }
}

process.on('message', (raw) => {
  const msg = toChildSchema.safeParse(raw);
  if (!msg.success) return console.error(`[train-child] ignored a malformed message: ${msg.error.issues[0]?.message}`);
  const m = msg.data;
  if (m.type === 'cancel') cancelled = true;
  else if (m.type === 'reply') {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (!w) return;
    if (m.ok) w.resolve();
    else w.reject(new RunStoppedError(m.error ?? 'the agent could not keep this epoch'));
  } else {
    start(m.job, m.threads).then(
      () => process.disconnect?.(),
      (err) => {
        console.error(`[train-child] ${err instanceof Error ? err.stack : err}`);
        process.exit(1);
      },
    );
  }
});
// The agent is gone: nothing would receive what this run reports.
process.on('disconnect', () => {
  cancelled = true;
  for (const w of waiting.values()) w.reject(new RunStoppedError('the agent is gone'));
  setTimeout(() => process.exit(0), 2000).unref();
});
