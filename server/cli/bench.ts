// `npm run bench [-- --json] [-- --only load|import|team|cnn|vae|gan|cvae|study]`: speed checks that are not tests.
//  - load: reading 3,000 preprocessed 128x128 images from disk into one tensor (target < 2 s);
//  - import: uploading and importing 3,000 Br35H-like JPEGs on a headless server while the
//    dashboard is asked for a page every 100 ms (target: every answer < 1 s);
//  - cnn, vae, gan, cvae: one training step (batch 32, full width) at 64 and 128 on the best
//    backend, per image, on one thread and data-parallel over every core, beside the PyTorch
//    reference (../shared/bench/torch_reference.py) when torch is installed (apt-get install
//    python3-torch); the cnn rows at 128 also report the process's peak resident memory;
//  - team: fetching the demo dataset to a fresh agent, and a run's overhead in team mode (Redis and
//    an agent) against the embedded queue (server/loadtest/team-bench.ts);
//  - study (only with --only study, it is long): the one-seed quick Table 1 study's wall time.
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../workers/engine/backend';
import { writeDatasetFiles, readDatasetFiles } from '../../workers/data/dataset-store';
import { splitToTensors } from '../../workers/data/tensors';
import { buildBrainCnn } from '../../workers/models/cnn';
import { trainCnnStep } from '../../workers/train/cnn-trainer';
import { DataParallelTrainer } from '../../workers/parallel/data-parallel';
import { replicaSource } from '../../workers/train/replicas';
import { elboStepper } from '../../workers/train/elbo-stepper';
import { ganStepper } from '../../workers/train/gan-stepper';
import { CVAE_PAPER_PRESET } from '../../workers/models/cvae';
import { startServer } from '../index';
import { systemSocket } from './dashboard';
import { startLatencyProbe, uploadFolder } from '../datasets/responsiveness';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { benchTeam } from '../loadtest/team-bench';
import { benchStudy } from '../loadtest/study-bench';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, only: { type: 'string' } } });
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const torchScript = path.resolve(repoRoot, '../shared/bench/torch_reference.py');
const report = (row: Record<string, unknown>) => console.log(values.json ? JSON.stringify(row) : Object.entries(row).map(([k, v]) => `${k}=${v}`).join('  '));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function benchLoad() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  const size = 128;
  const images = Array.from({ length: 3000 }, (_, i) => Uint8Array.from({ length: size * size }, (_, p) => (p * 31 + i * 7) & 255));
  writeDatasetFiles(path.join(dir, 'ds'), size, images, Uint8Array.from(images.map((_, i) => i % 2)));
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const files = readDatasetFiles(path.join(dir, 'ds'));
    const tensors = splitToTensors(files, Array.from({ length: files.count }, (_, i) => i), size);
    times.push(performance.now() - t);
    tf.dispose([tensors.xs, tensors.ys]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  report({ bench: 'load', images: 3000, size, ms: Math.round(median(times)), targetMs: 2000 });
}

/** CPU seconds (user + sys, all threads) of this process's children running `script`, read from
 * Linux's /proc every 100 ms: wall time moves with whatever else shares the cores, CPU time much
 * less. The last sample before a child exits can miss up to 0.1 s. Null where /proc is missing. */
function sampleChildCpu(script: string): { stop: () => number | null } {
  if (!fs.existsSync('/proc/self/stat')) return { stop: () => null };
  const ticks = new Map<number, number>(); // pid -> utime + stime, in 1/100 s
  const sample = () => {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
        if (Number(fields[1]) !== process.pid || !fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(script)) continue;
        ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
      } catch {
        continue; // the process exited between listing and reading: its last sample stands
      }
    }
  };
  const timer = setInterval(sample, 100);
  return { stop: () => (clearInterval(timer), [...ticks.values()].reduce((a, b) => a + b, 0) / 100) };
}

/** This host's speed now: ms for a fixed JS loop on one thread (median of 5). On a shared virtual
 * machine it swings (here 58-138 ms for the same loop from one minute to the next), and an import's seconds
 * swing with it, so the import row carries the probe from before and after it. */
function hostProbeMs(): number {
  const values = new Float64Array(1 << 20).map((_, i) => i);
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    let acc = 0;
    for (let k = 0; k < 20; k++) for (let i = 0; i < values.length; i++) acc += values[i] * 1.0000001;
    if (acc === -1) console.log(acc); // keeps the loop from being optimised away
    times.push(performance.now() - t);
  }
  return Math.round(median(times));
}

/** The dashboard's answers while a Br35H-sized folder (the demo generator's 1,500 + 1,500 JPEGs,
 * 150-700 px) is uploaded from another process and imported, as from a browser: latency counted
 * from when each request was due, and the server's event-loop delay sampled alongside. */
async function benchImport() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
  const raw = path.join(work, 'br35h');
  let started = performance.now();
  await writeRawDemoDataset(raw, { seed: 1, perClass: 1500 });
  const generateSeconds = (performance.now() - started) / 1000;
  const server = await startServer({ withNext: false, env: { PORT: 0, DATA_DIR: path.join(work, 'data'), DEMO_PER_CLASS: 10, MAX_WORKERS: 0 }, log: () => {} });
  const socket = systemSocket(server);
  let firstProgress = 0;
  socket.on('import:progress', (msg) => {
    if (msg.importId === 'bench') firstProgress ||= performance.now();
  });
  try {
    // Before the probes start: the loop blocks this process, which is also the server's.
    const probeBefore = hostProbeMs();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const headers = server.system.headers;
    const probe = startLatencyProbe([`${server.url}/api/health`, `${server.url}/api/trpc/datasets.list`], { headers });
    const importCpu = sampleChildCpu('import-main');
    started = performance.now();
    const { status, body } = await uploadFolder(`${server.url}/api/datasets/upload?importId=bench&name=br35h-bench`, raw, headers);
    const importSeconds = (performance.now() - started) / 1000;
    const importCpuSeconds = importCpu.stop();
    const latency = await probe.stop();
    loop.disable();
    const probeAfter = hostProbeMs();
    const result = body as { dataset?: { id: string }; imported?: number; error?: string };
    if (status !== 200) throw new Error(`the import failed: ${result.error}`);
    report({
      bench: 'import', images: result.imported, dataset: result.dataset?.id, generateSeconds: +generateSeconds.toFixed(1),
      importSeconds: +importSeconds.toFixed(1), importCpuSeconds, uploadSeconds: +((firstProgress - started) / 1000).toFixed(1),
      ...latency, eventLoopDelayMaxMs: Math.round(loop.max / 1e6), targetMs: 1000,
      hostProbeBeforeMs: probeBefore, hostProbeAfterMs: probeAfter,
    });
  } finally {
    socket.close();
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * PyTorch 1.13 CPU, 2 threads, batch 32, ms per image, as recorded in
 * shared/design/ENGINE_NOTES.md on this kind of machine. Recorded, not measured in this run:
 * printed as `torchNotesMsPerImage` only when torch is absent, so a reader can still compare.
 */
const TORCH_NOTES_MS_PER_IMAGE: Record<string, Record<number, number>> = {
  cnn: { 64: 4.2, 128: 20.5 },
  vae: { 64: 49, 128: 65 },
  gan: { 64: 4.2, 128: 18 },
  cvae: { 64: 2.5, 128: 18 },
};

/** The Python that runs the PyTorch reference: PYTHON when set, else Debian's /usr/bin/python3
 * (where apt-get install python3-torch puts torch), else python3 on the PATH; the first that can
 * import torch. Null (with why) when none can: the rows then show the recorded figures, labelled. */
function findTorchPython(): { python: string; torch: string } | { python: null; why: string } {
  if (!fs.existsSync(torchScript)) return { python: null, why: `the reference script is missing (${torchScript})` };
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  for (const python of [...new Set(candidates)]) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, torch: probe.stdout.trim() };
  }
  return { python: null, why: `none of ${candidates.join(', ')} can import torch (apt-get install python3-torch, or set PYTHON)` };
}
const torchPython = findTorchPython();

/** ms per image of the PyTorch reference, measured now with the same threads and batch. */
function torchReference(model: string, size: number, batch: number, threads: number): number | null {
  if (!torchPython.python) return null;
  const run = spawnSync(torchPython.python, [torchScript, '--model', model, '--size', String(size), '--batch', String(batch), '--threads', String(threads)], { encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(`[bench] the PyTorch reference failed for ${model} at ${size}: ${run.stderr.trim().split('\n').at(-1)}`);
    return null;
  }
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!).ms_per_image;
}

/** One training step of each paper model at full width, as the PyTorch reference builds them, on
 * one thread or data-parallel over `threads` (what a run alone on the machine trains with). */
type Stepper = { step: (xs: tf.Tensor4D) => Promise<unknown>; dispose: () => unknown };
const cores = os.availableParallelism();
const steppers: Record<string, (size: number, threads: number, backend: string) => Promise<Stepper>> = {
  cnn: async (size, threads, backend) => {
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2), 'int32'), 2).toFloat() as tf.Tensor2D);
    if (threads > 1) {
      const trainer = await DataParallelTrainer.start(replicaSource({ kind: 'cnn', imageSize: size, width: 1, dropout: 0.5, seed: 0, learningRate: 1e-3 }), threads, backend);
      return { step: (xs) => trainer.step(xs, labels), dispose: () => (tf.dispose(labels), trainer.dispose({ disposeModel: true })) };
    }
    const model = buildBrainCnn({ imageSize: size, width: 1, dropout: 0.5, seed: 0 });
    const optimizer = tf.train.adam(1e-3);
    return { step: (xs) => trainCnnStep(model, optimizer, xs, labels), dispose: () => (tf.dispose(labels), optimizer.dispose(), model.dispose()) };
  },
  vae: (size, threads, backend) => elbo('vae', size, threads, backend),
  gan: async (size, threads, backend) => {
    const gan = await ganStepper({ imageSize: size, width: 1, seed: 0, learningRate: 2e-4 }, { threads, backend });
    return { step: (xs) => gan.step(xs), dispose: () => gan.close() };
  },
  cvae: (size, threads, backend) => elbo('cvae', size, threads, backend),
};

/** The VAE (latent 512) or the BrainCVAE, through the stepper their runs train with. */
async function elbo(kind: 'vae' | 'cvae', size: number, threads: number, backend: string): Promise<Stepper> {
  const latentDim = kind === 'vae' ? 512 : CVAE_PAPER_PRESET.latentDim;
  const stepper = await elboStepper({ kind, imageSize: size, width: 1, latentDim, seed: 0, learningRate: 1e-3 }, { threads, backend });
  return { step: (xs) => stepper.step(xs), dispose: () => stepper.close({ disposeModels: true }) };
}

async function benchModel(model: string, threads: number, backend: string) {
  const batch = 32;
  for (const size of [64, 128]) {
    const stepper = await steppers[model](size, threads, backend);
    const xs = tf.randomUniform([batch, size, size, 1]) as tf.Tensor4D;
    const times: number[] = [];
    // Sampled after every step (a step's tensors are freed by then, the heap it grew is not).
    let peakRss = process.memoryUsage().rss;
    // Three warm-up steps (the first ones allocate, compile and, data-parallel, start threads), then
    // the median of five.
    for (let s = 0; s < 8; s++) {
      const t = performance.now();
      await stepper.step(xs);
      if (s >= 3) times.push(performance.now() - t);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const msPerImage = median(times) / batch;
    // The anchor is measured with the threads this row trains on (PyTorch's intra-op threads).
    const torchMsPerImage = torchReference(model, size, batch, threads);
    const notes = TORCH_NOTES_MS_PER_IMAGE[model]?.[size];
    const reference = torchMsPerImage
      ? { torchMsPerImage, ratio: +(msPerImage / torchMsPerImage).toFixed(2) }
      : notes
        ? { torchNotesMsPerImage: notes, notesRatio: +(msPerImage / notes).toFixed(2) }
        : {};
    const memory = model === 'cnn' && size === 128 ? { peakRssMb: Math.round(peakRss / 2 ** 20) } : {};
    report({ model, size, batch, backend, threads, msPerImage: +msPerImage.toFixed(2), ...reference, ...memory });
    xs.dispose();
    await stepper.dispose();
  }
}

const { backend } = await initEngine();
if ('torch' in torchPython) console.error(`[bench] PyTorch reference: torch ${torchPython.torch} with ${torchPython.python}, measured in this run`);
else console.error(`[bench] no PyTorch reference measured: ${torchPython.why}; rows show the figures recorded in ENGINE_NOTES.md as torchNotesMsPerImage`);
if (!values.only || values.only === 'load') await benchLoad();
if (!values.only || values.only === 'import') await benchImport();
if (!values.only || values.only === 'team') await benchTeam(report);
if (values.only === 'study') await benchStudy(report);
for (const model of Object.keys(steppers)) {
  if (values.only && values.only !== model) continue;
  for (const threads of cores > 1 ? [1, cores] : [1]) await benchModel(model, threads, backend);
}
