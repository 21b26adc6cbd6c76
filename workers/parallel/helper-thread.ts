// A data-parallel helper thread: builds its replica of the model, takes the main thread's
// initial weights, then computes, reduces and applies one step at a time as told.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/backend';
import { buildReplicaFrom } from './replica';
import { Exchange } from './exchange';
import type { HelperInit, ToHelper, FromHelper } from './messages';

const init = workerData as HelperInit;
const port = parentPort!;
const send = (message: FromHelper) => port.postMessage(message);

async function main() {
  const engine = await initEngine({ force: init.backend });
  const replica = await buildReplicaFrom(init.source);
  const exchanges = replica.phases.map((phase, p) => new Exchange(init.layouts[p], init.replicas, init.index, phase.adam, init.memories[p], init.adamModule));
  // The main thread wrote its initial variables into each result vector.
  exchanges.forEach((exchange, p) => exchange.readVariables(replica.phases[p], exchange.result));
  // This thread's rows of the step under way, kept for every phase.
  let batch: { xs: tf.Tensor | null; ys: tf.Tensor | null; shard: { offset: number; total: number }; rows: number[] } | null = null;
  const release = () => {
    if (batch) tf.dispose([batch.xs, batch.ys].filter((t): t is tf.Tensor => t !== null));
    batch = null;
  };
  const compute = (p: number) => {
    if (!batch) throw new Error('a phase was computed without a batch');
    exchanges[p].computeShard(replica.phases[p], batch.xs, batch.ys, batch.shard, batch.rows);
    send({ type: 'computed' });
  };
  const handle = (message: ToHelper) => {
    switch (message.type) {
      case 'step': {
        release();
        const hasRows = message.rows[init.index] > 0;
        batch = {
          xs: hasRows ? tf.tensor(message.xs, message.xsShape, 'float32') : null,
          ys: hasRows && message.ysShape.length > 0 ? tf.tensor(message.ys, message.ysShape, 'float32') : null,
          shard: message.shard,
          rows: message.rows,
        };
        return compute(0);
      }
      case 'compute':
        return compute(message.phase);
      case 'reduce':
        exchanges[message.phase].reduceSlice();
        return send({ type: 'reduced' });
      case 'apply':
        exchanges[message.phase].apply(replica.phases[message.phase]);
        if (message.phase === replica.phases.length - 1) release();
        return;
      case 'restore':
        exchanges.forEach((e, p) => {
          e.readVariables(replica.phases[p], e.result);
          e.steps = message.steps[p];
        });
        replica.seek?.(message.step);
        return send({ type: 'restored' });
      case 'snapshot':
        exchanges.forEach((e, p) => e.writeVariables(replica.phases[p], e.vectors[init.index]));
        return send({ type: 'snapshot', numTensors: tf.memory().numTensors });
    }
  };
  port.on('message', (message: ToHelper) => {
    try {
      handle(message);
    } catch (err) {
      // The main thread may be waiting for this one at a barrier: release it with the failure.
      for (const e of exchanges) e.group.abort();
      release();
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  });
  send({ type: 'ready', backend: engine.backend });
}

main().catch((err) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
