// Messages between the main thread of a data-parallel trainer and its helper threads.
import type { Layout } from './exchange';
import type { ReplicaSource } from './replica';

export interface HelperInit {
  entry: string;
  /** What the thread builds its replica from. */
  source: ReplicaSource;
  backend: string;
  /** Per phase of the step: the exchange's layout and its shared memory (a shared
   * WebAssembly.Memory, for the Adam kernel). */
  layouts: Layout[];
  memories: WebAssembly.Memory[];
  /** The assembled Adam kernel (see adam-simd.ts), or null for the JS loop. */
  adamModule: WebAssembly.Module | null;
  replicas: number;
  index: number;
}

export type ToHelper =
  | { type: 'step'; xs: Float32Array; xsShape: number[]; ys: Float32Array; ysShape: number[]; shard: { offset: number; total: number }; rows: number[] }
  | { type: 'compute'; phase: number }
  | { type: 'reduce'; phase: number }
  | { type: 'apply'; phase: number }
  | { type: 'snapshot' }
  /** Load the result vectors (weights and state the main thread wrote there) and take up the
   * Adam step counts and the per-step streams of a resumed run. */
  | { type: 'restore'; steps: number[]; step: number };

export type FromHelper =
  | { type: 'ready'; backend: string }
  | { type: 'computed' }
  | { type: 'reduced' }
  | { type: 'snapshot'; numTensors: number }
  | { type: 'restored' }
  | { type: 'error'; message: string };
