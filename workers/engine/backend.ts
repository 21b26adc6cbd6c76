// Picks and initialises the fastest TensorFlow.js backend available on this machine.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { registerCpuFixes, registerWasmKernels } from './kernels/index';

export type Tf = typeof import('@tensorflow/tfjs');
export type BackendChoice = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export interface Engine {
  tf: Tf;
  backend: BackendChoice;
  tried: { name: string; error?: string }[];
}

const ORDER: BackendChoice[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

/** Loads one backend, makes it the active one and returns the namespace it lives on. */
async function load(choice: BackendChoice): Promise<Tf> {
  switch (choice) {
    case 'tfjs-node-gpu':
    case 'tfjs-node': {
      // A variable specifier keeps tsc and bundlers from requiring these optional packages.
      const pkg = `@tensorflow/${choice}`;
      const mod = await import(pkg);
      // tfjs-node is CommonJS: its module.exports re-exports tfjs plus the 'tensorflow' backend.
      const tf = (mod.default ?? mod) as Tf;
      await activate(tf, 'tensorflow');
      return tf;
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries are read from disk, so the prefix is a folder path.
      const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${dirname(entry)}/`);
      await activate(tfjs, 'wasm');
      registerWasmKernels(tfjs);
      registerCpuFixes(tfjs); // tests and parity checks switch to cpu as the reference
      return tfjs;
    }
    case 'cpu':
      await activate(tfjs, 'cpu');
      registerCpuFixes(tfjs);
      return tfjs;
  }
}

async function activate(tf: Tf, name: string): Promise<void> {
  // setBackend resolves false (rather than throwing) when the backend fails to initialise.
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`active backend is '${tf.getBackend()}', not '${name}'`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function pick(forced: BackendChoice | undefined): Promise<Engine> {
  const tried: Engine['tried'] = [];
  for (const choice of forced ? [forced] : ORDER) {
    try {
      const tf = await load(choice);
      tried.push({ name: choice });
      return { tf, backend: choice, tried };
    } catch (err) {
      tried.push({ name: choice, error: message(err) });
    }
  }
  const detail = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  throw new Error(forced ? `TFJS backend '${forced}' could not be loaded (${detail})` : `no TFJS backend could be loaded (${detail})`);
}

// One load per requested choice; a failed load is forgotten so that it can be retried.
const engines = new Map<string, Promise<Engine>>();

/**
 * Initialises the engine: native TensorFlow (GPU, then CPU), then wasm, then pure-JS cpu.
 * `opts.force` or env TFJS_BACKEND forces one backend and throws if it cannot load.
 */
export async function initEngine(opts: { force?: string } = {}): Promise<Engine> {
  const requested = opts.force ?? (process.env.TFJS_BACKEND || undefined);
  if (requested !== undefined && !ORDER.includes(requested as BackendChoice)) {
    throw new Error(`unknown TFJS backend '${requested}' (expected one of ${ORDER.join(', ')})`);
  }
  const key = requested ?? 'auto';
  let engine = engines.get(key);
  if (!engine) {
    engine = pick(requested as BackendChoice | undefined);
    engines.set(key, engine);
    engine.catch(() => engines.delete(key));
  }
  const result = await engine;
  // Another call may have switched backends since; switch back so the result stays true.
  const name = result.backend === 'wasm' || result.backend === 'cpu' ? result.backend : 'tensorflow';
  if (result.tf.getBackend() !== name) await activate(result.tf, name);
  return result;
}
