// Data-parallel training over worker threads. The wasm backend runs on one thread, so a step on a
// batch is split: each of R threads (this one and R-1 helpers) holds a replica of the model,
// computes the gradients of its share of the rows, the threads average them through shared memory
// and each applies the same update. The replicas stay identical, and this thread's model is the
// one evaluated and saved.
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { buildReplica, type Replica, type ReplicaSpec } from './replica-models';
import { Exchange, adamDefaults, layoutOf } from './exchange';
import { sharedMemory, useAdamKernel } from './adam-simd';
import type { FromHelper, HelperInit, ToHelper } from './messages';

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);
const HELPER = new URL('./helper-thread.ts', import.meta.url).href;

export interface ParallelStep {
  /** The batch's mean loss. */
  loss: number;
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
    private readonly exchange: Exchange,
    private readonly helpers: Helper[],
  ) {}

  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Builds this thread's replica and starts `threads - 1` helper threads with copies of it. */
  static async start(spec: ReplicaSpec, threads: number, backend: string): Promise<DataParallelTrainer> {
    if (!Number.isInteger(threads) || threads < 2) throw new Error(`data-parallel training needs at least 2 threads, not ${threads}`);
    const replica = buildReplica(spec);
    const layout = layoutOf(replica);
    const memory = sharedMemory(Exchange.bytes(layout, threads));
    const exchange = new Exchange(layout, threads, 0, adamDefaults(spec.learningRate), memory);
    await useAdamKernel(exchange, memory);
    exchange.writeVariables(replica, exchange.result);
    const helpers: Helper[] = [];
    try {
      for (let index = 1; index < threads; index++) {
        const init: HelperInit = { entry: HELPER, spec, backend, layout, replicas: threads, index, memory };
        helpers.push(startHelper(new Worker(ENTRY, { workerData: init }), index));
      }
      await Promise.all(helpers.map((h) => h.next('ready')));
    } catch (err) {
      await Promise.all(helpers.map((h) => h.worker.terminate()));
      replica.dispose();
      throw err;
    }
    return new DataParallelTrainer(replica, exchange, helpers);
  }

  /** One optimiser step on the batch (xs, and ys for a classifier). */
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
    try {
      this.exchange.computeShard(this.replica, x, y, { offset: own.offset, total }, rows);
    } catch (err) {
      this.exchange.group.abort();
      throw err;
    } finally {
      tf.dispose([x, y].filter((t): t is tf.Tensor => t !== null));
    }
    await Promise.all(this.helpers.map((h) => h.next('computed')));
    this.post({ type: 'reduce' });
    this.exchange.reduceSlice();
    await Promise.all(this.helpers.map((h) => h.next('reduced')));
    this.post({ type: 'apply' });
    const { loss, means } = this.exchange.apply(this.replica);
    return { loss, means: Object.fromEntries(this.replica.meanNames.map((name, i) => [name, means[i]])) };
  }

  /** Each helper's variables, as written by itself (to check that the replicas stay equal),
   * with its live tensor count. */
  async helperSnapshots(): Promise<{ variables: Float32Array; numTensors: number }[]> {
    this.post({ type: 'snapshot' });
    const replies = await Promise.all(this.helpers.map((h) => h.next('snapshot')));
    return replies.map((reply, i) => ({
      variables: this.exchange.vectors[i + 1].slice(0, this.exchange.layout.lossOffset),
      numTensors: (reply as Extract<FromHelper, { type: 'snapshot' }>).numTensors,
    }));
  }

  /** This thread's variables in the same layout as helperSnapshots. */
  ownVariables(): Float32Array {
    const target = new Float32Array(this.exchange.layout.length);
    this.exchange.writeVariables(this.replica, target);
    return target.slice(0, this.exchange.layout.lossOffset);
  }

  /** Stops the helpers; keeps this thread's model unless `disposeModel`. */
  async dispose({ disposeModel = false } = {}): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.helpers.map((h) => h.worker.terminate()));
    this.replica.optimizer.dispose();
    if (disposeModel) for (const model of Object.values(this.replica.models)) model.dispose();
  }

  private post(message: ToHelper): void {
    for (const h of this.helpers) h.worker.postMessage(message);
  }
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
