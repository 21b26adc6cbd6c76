// Data-parallel training over worker threads. The wasm backend runs on one thread, so a step on a
// batch is split: each of R threads (this one and R-1 helpers) holds a replica of the model,
// computes the gradients of its share of the rows, the threads average them through shared memory
// and each applies the same update. The replicas stay identical, and this thread's model is the
// one evaluated and saved.
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { buildReplicaFrom, type OptimizerState, type Replica, type ReplicaSource } from './replica';
import { Exchange, layoutOf } from './exchange';
import { adamModule, sharedMemory } from './adam-simd';
import type { FromHelper, HelperInit, ToHelper } from './messages';

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);
const HELPER = new URL('./helper-thread.ts', import.meta.url).href;

export interface ParallelStep {
  /** The batch's mean loss (of the first phase). */
  loss: number;
  /** Every phase's loss (the GAN: discriminator, generator). */
  losses: number[];
  /** The replica's other per-image means over the batch, named by Replica.meanNames. */
  means: Record<string, number>;
}

interface Helper {
  worker: Worker;
  next: (type: FromHelper['type']) => Promise<FromHelper>;
}

/** Rows of a batch of `total` split as evenly as possible over `parts` replicas, in order. */
export function splitRows(total: number, parts: number): { offset: number; n: number }[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  let offset = 0;
  return Array.from({ length: parts }, (_, r) => {
    const n = base + (r < extra ? 1 : 0);
    const shard = { offset, n };
    offset += n;
    return shard;
  });
}

export class DataParallelTrainer {
  private disposed = false;

  private constructor(
    readonly replica: Replica,
    /** One exchange (and shared memory) per phase of the step. */
    private readonly exchanges: Exchange[],
    private readonly helpers: Helper[],
  ) {}

  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Builds this thread's replica and starts `threads - 1` helper threads with copies of it, all
   * from the same source. */
  static async start(source: ReplicaSource, threads: number, backend: string): Promise<DataParallelTrainer> {
    if (!Number.isInteger(threads) || threads < 2) throw new Error(`data-parallel training needs at least 2 threads, not ${threads}`);
    const replica = await buildReplicaFrom(source);
    const layouts = replica.phases.map((phase) => layoutOf(phase));
    const memories = layouts.map((layout) => sharedMemory(Exchange.bytes(layout, threads)));
    const adam = await adamModule();
    const exchanges = replica.phases.map((phase, p) => new Exchange(layouts[p], threads, 0, phase.adam, memories[p], adam));
    exchanges.forEach((exchange, p) => exchange.writeVariables(replica.phases[p], exchange.result));
    const helpers: Helper[] = [];
    try {
      for (let index = 1; index < threads; index++) {
        const init: HelperInit = { entry: HELPER, source, backend, layouts, replicas: threads, index, memories, adamModule: adam };
        helpers.push(startHelper(new Worker(ENTRY, { workerData: init }), index));
      }
      await Promise.all(helpers.map((h) => h.next('ready')));
    } catch (err) {
      await Promise.all(helpers.map((h) => h.worker.terminate()));
      replica.dispose();
      throw err;
    }
    return new DataParallelTrainer(replica, exchanges, helpers);
  }

  /** One optimiser step on the batch (xs, and ys for a classifier): every phase in turn, each
   * computed on the shards, reduced and applied before the next one starts. */
  async step(xs: tf.Tensor, ys: tf.Tensor | null = null): Promise<ParallelStep> {
    if (this.disposed) throw new Error('the data-parallel trainer was disposed');
    const total = xs.shape[0];
    const shards = splitRows(total, this.threads);
    const rows = shards.map((s) => s.n);
    const slice = (t: tf.Tensor, s: { offset: number; n: number }) => tf.slice(t, s.offset, s.n);
    this.helpers.forEach((h, i) => {
      const s = shards[i + 1];
      const [x, y] = s.n > 0 ? [slice(xs, s), ys && slice(ys, s)] : [null, null];
      const message: ToHelper = {
        type: 'step',
        xs: x ? (x.dataSync() as Float32Array) : new Float32Array(0),
        xsShape: x ? x.shape : [],
        ys: y ? (y.dataSync() as Float32Array) : new Float32Array(0),
        ysShape: y ? y.shape : [],
        shard: { offset: s.offset, total },
        rows,
      };
      tf.dispose([x, y].filter((t): t is tf.Tensor => t !== null));
      h.worker.postMessage(message);
    });
    const own = shards[0];
    const [x, y] = [slice(xs, own), ys && slice(ys, own)];
    const losses: number[] = [];
    const means: Record<string, number> = {};
    try {
      for (const [p, phase] of this.replica.phases.entries()) {
        const exchange = this.exchanges[p];
        if (p > 0) this.post({ type: 'compute', phase: p });
        try {
          exchange.computeShard(phase, x, y, { offset: own.offset, total }, rows);
        } catch (err) {
          exchange.group.abort();
          throw err;
        }
        await Promise.all(this.helpers.map((h) => h.next('computed')));
        this.post({ type: 'reduce', phase: p });
        exchange.reduceSlice();
        await Promise.all(this.helpers.map((h) => h.next('reduced')));
        this.post({ type: 'apply', phase: p });
        const result = exchange.apply(phase);
        losses.push(result.loss);
        phase.meanNames.forEach((name, i) => (means[name] = result.means[i]));
      }
    } finally {
      tf.dispose([x, y].filter((t): t is tf.Tensor => t !== null));
    }
    return { loss: losses[0], losses, means };
  }

  /** Each phase's Adam state (the moments live in shared memory, one copy for all threads). */
  exportOptimizers(): OptimizerState[] {
    return this.exchanges.map((e) => ({ steps: e.steps, m: e.m.slice(), v: e.v.slice() }));
  }

  /** A resumed run: this thread's models hold the saved weights; every thread takes them, the
   * Adam state and the per-step streams at `step`. */
  async importState(optimizers: OptimizerState[], step: number): Promise<void> {
    if (optimizers.length !== this.exchanges.length) throw new Error(`the saved state has ${optimizers.length} optimisers, the model ${this.exchanges.length}`);
    this.exchanges.forEach((e, p) => {
      const saved = optimizers[p];
      if (saved.m.length !== e.m.length || saved.v.length !== e.v.length) throw new Error(`the saved optimiser ${p} holds ${saved.m.length} moments, the model ${e.m.length}`);
      e.m.set(saved.m);
      e.v.set(saved.v);
      e.steps = saved.steps;
      e.writeVariables(this.replica.phases[p], e.result);
    });
    this.replica.seek?.(step);
    this.post({ type: 'restore', steps: optimizers.map((o) => o.steps), step });
    await Promise.all(this.helpers.map((h) => h.next('restored')));
  }

  /** Each helper's variables, as written by itself (to check that the replicas stay equal),
   * with its live tensor count; phase by phase, concatenated. */
  async helperSnapshots(): Promise<{ variables: Float32Array; numTensors: number }[]> {
    this.post({ type: 'snapshot' });
    const replies = await Promise.all(this.helpers.map((h) => h.next('snapshot')));
    return replies.map((reply, i) => ({
      variables: concat(this.exchanges.map((e) => e.vectors[i + 1].slice(0, e.layout.lossOffset))),
      numTensors: (reply as Extract<FromHelper, { type: 'snapshot' }>).numTensors,
    }));
  }

  /** This thread's variables in the same layout as helperSnapshots. */
  ownVariables(): Float32Array {
    return concat(
      this.exchanges.map((e, p) => {
        const target = new Float32Array(e.layout.length);
        e.writeVariables(this.replica.phases[p], target);
        return target.slice(0, e.layout.lossOffset);
      }),
    );
  }

  /** Stops the helpers; keeps this thread's models unless `disposeModel`. */
  async dispose({ disposeModel = false } = {}): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
    for (const phase of this.replica.phases) phase.optimizer.dispose();
    if (disposeModel) for (const model of Object.values(this.replica.models)) model.dispose();
  }

  private post(message: ToHelper): void {
    for (const h of this.helpers) h.worker.postMessage(message);
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Wraps a helper so that each expected reply can be awaited in order; an error reply, a thread
 * error or an exit rejects every pending and later wait with the reason. */
function startHelper(worker: Worker, index: number): Helper {
  const inbox: FromHelper[] = [];
  const waiting: { type: FromHelper['type']; resolve: (m: FromHelper) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure ??= err;
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  const deliver = () => {
    while (inbox.length > 0 && waiting.length > 0) {
      const message = inbox.shift()!;
      const w = waiting.shift()!;
      if (message.type === 'error') fail(new Error(`data-parallel helper ${index} failed: ${message.message}`));
      else if (message.type !== w.type) fail(new Error(`data-parallel helper ${index} replied '${message.type}' where '${w.type}' was expected`));
      else w.resolve(message);
    }
  };
  worker.on('message', (message: FromHelper) => {
    if (message.type === 'error') return fail(new Error(`data-parallel helper ${index} failed: ${message.message}`));
    inbox.push(message);
    deliver();
  });
  worker.on('error', (err) => fail(new Error(`data-parallel helper ${index} crashed: ${err.message}`)));
  worker.on('exit', (code) => fail(new Error(`data-parallel helper ${index} exited (code ${code})`)));
  return {
    worker,
    next: (type) =>
      new Promise<FromHelper>((resolve, reject) => {
        if (failure) return reject(failure);
        waiting.push({ type, resolve, reject });
        deliver();
      }),
  };
}
