// Messages between the main thread of a data-parallel trainer and its helper threads.
import type { Layout } from './exchange';
import type { ReplicaSpec } from './replica-models';

export interface HelperInit {
  entry: string;
  spec: ReplicaSpec;
  backend: string;
  layout: Layout;
  replicas: number;
  index: number;
  /** The shared memory of the exchange (a shared WebAssembly.Memory, for the Adam kernel). */
  memory: WebAssembly.Memory;
}

export type ToHelper =
  | { type: 'step'; xs: Float32Array; xsShape: number[]; ys: Float32Array; ysShape: number[]; shard: { offset: number; total: number }; rows: number[] }
  | { type: 'reduce' }
  | { type: 'apply' }
  | { type: 'snapshot' };

export type FromHelper =
  | { type: 'ready'; backend: string }
  | { type: 'computed' }
  | { type: 'reduced' }
  | { type: 'snapshot'; numTensors: number }
  | { type: 'error'; message: string };
