// The Workers view's contract: what the browser is shown of a worker (its hello's capabilities,
// whether it is connected or drained, the runs it holds) and what an admin may ask of one.
import { z } from 'zod';
import type { PresetName } from './run-config';
import type { RunModel } from './events';

export const workerIdInputSchema = z.object({ workerId: z.string().min(1).max(64) });
export const workerDrainInputSchema = workerIdInputSchema.extend({ drained: z.boolean() });

/** A run a worker is training now. */
export interface HeldRunView {
  id: string;
  model: RunModel;
  preset: PresetName;
  progress: number;
}

export interface WorkerView {
  id: string;
  host: string;
  pid: number;
  backend: string;
  /** null: a worker older than capability reports. */
  device: string | null;
  gpu: boolean;
  memoryMb: number | null;
  threads: number | null;
  concurrency: number | null;
  kind: 'local' | 'agent';
  /** Its socket is open (it has not disconnected). */
  connected: boolean;
  lastSeen: number;
  disconnectedAt: number | null;
  drained: boolean;
  runs: HeldRunView[];
}
