// A data-parallel helper thread: builds its replica of the model, takes the main thread's
// initial weights, then computes, reduces and applies one step at a time as told.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../engine/backend';
import { buildReplica } from './replica-models';
import { Exchange, adamDefaults } from './exchange';
import { useAdamKernel } from './adam-simd';
import type { HelperInit, ToHelper, FromHelper } from './messages';

const init = workerData as HelperInit;
const port = parentPort!;
const send = (message: FromHelper) => port.postMessage(message);

async function main() {
  const engine = await initEngine({ force: init.backend });
  const replica = buildReplica(init.spec);
  const exchange = new Exchange(init.layout, init.replicas, init.index, adamDefaults(init.spec.learningRate), init.memory);
  await useAdamKernel(exchange, init.memory);
  // The main thread wrote its initial variables into the result vector.
  exchange.readVariables(replica, exchange.result);
  const handle = (message: ToHelper) => {
    switch (message.type) {
      case 'step': {
        const hasRows = message.rows[init.index] > 0;
        const xs = hasRows ? tf.tensor(message.xs, message.xsShape, 'float32') : null;
        const ys = hasRows && message.ysShape.length > 0 ? tf.tensor(message.ys, message.ysShape, 'float32') : null;
        try {
          exchange.computeShard(replica, xs, ys, message.shard, message.rows);
        } finally {
          tf.dispose([xs, ys].filter((t): t is tf.Tensor => t !== null));
        }
        return send({ type: 'computed' });
      }
      case 'reduce':
        exchange.reduceSlice();
        return send({ type: 'reduced' });
      case 'apply':
        exchange.apply(replica);
        return;
      case 'snapshot':
        exchange.writeVariables(replica, exchange.vectors[init.index]);
        return send({ type: 'snapshot', numTensors: tf.memory().numTensors });
    }
  };
  port.on('message', (message: ToHelper) => {
    try {
      handle(message);
    } catch (err) {
      // The main thread may be waiting for this one at a barrier: release it with the failure.
      exchange.group.abort();
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  });
  send({ type: 'ready', backend: engine.backend });
}

main().catch((err) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
