// What a worker machine offers the server (its hello's `capabilities`): the device it trains on,
// whether that is a GPU, its memory and the cores training may use. Reads only; changes nothing.
import os from 'node:os';
import type { WorkerCapabilities } from '../../lib/contracts/events';
import type { BackendChoice, Tf } from '../engine/backend';

/** Said when tfjs-node-gpu runs on a GPU but cannot name it: its binding tells only whether a GPU
 * device is in use (`isUsingGpuDevice`), not which one. */
export const UNNAMED_GPU = 'GPU (tfjs-node-gpu)';

/** The slice of tfjs-node's NodeJSKernelBackend read here; absent on the other backends. */
interface NativeBackend {
  isUsingGpuDevice?: unknown;
}

/** false when tfjs-node-gpu loaded but its libtensorflow found no CUDA device and runs on the CPU. */
function nativeUsesGpu(tf: Tf): boolean {
  const flag = (tf.backend() as unknown as NativeBackend).isUsingGpuDevice;
  return flag !== false;
}

export function cpuName(): string {
  const model = os.cpus()[0]?.model.trim().replace(/\s+/g, ' ');
  return `cpu: ${model || os.arch()}`.slice(0, 200);
}

export async function describeMachine(
  engine: { backend: BackendChoice; tf: Tf },
  opts: { concurrency: number; kind: 'local' | 'agent'; threads?: number },
): Promise<WorkerCapabilities> {
  const gpu = engine.backend === 'tfjs-node-gpu' && nativeUsesGpu(engine.tf);
  return {
    device: gpu ? UNNAMED_GPU : cpuName(),
    gpu,
    memoryMb: Math.floor(os.totalmem() / 2 ** 20),
    threads: opts.threads ?? os.availableParallelism(),
    concurrency: opts.concurrency,
    kind: opts.kind,
  };
}
