'use client';
// Make a synthetic dataset: pick a finished generator run per class (and a kept checkpoint), the
// number of images per class and a seed; the synthesis runs in a worker like any run, and the new
// dataset appears in the list with its quality and privacy report. Each generator's FID on
// validation by epoch is drawn, with the default checkpoint (the best FID) marked.
import { useEffect, useMemo, useState } from 'react';
import Link from 'next/link';
import { useRuns } from '../lib/use-runs';
import { trpc, errorMessage } from '../lib/trpc';
import type { RunView } from '../../lib/contracts/events';
import type { EpochQuality } from '../../lib/contracts/epoch-quality';
import { QualityCurve } from './quality-curve';

type Choice = { runId: string; epoch: string };
interface Checkpoints {
  kept: number[];
  curve: EpochQuality[];
  default: { epoch: number; by: 'best-fid' | 'latest' | 'chosen'; fid?: number; reason: string } | null;
}

/** The kept checkpoints and quality curve of the chosen run, from the server. */
function useCheckpoints(runId: string): { data: Checkpoints | null; error: string | null } {
  const [state, setState] = useState<{ runId: string; data: Checkpoints | null; error: string | null }>({ runId: '', data: null, error: null });
  useEffect(() => {
    if (!runId) return;
    let live = true;
    trpc.datasets.generatorCheckpoints
      .query({ runId })
      .then((data) => live && setState({ runId, data, error: null }))
      .catch((err) => live && setState({ runId, data: null, error: errorMessage(err) }));
    return () => {
      live = false;
    };
  }, [runId]);
  return state.runId === runId ? state : { data: null, error: null };
}

const fidOf = (c: Checkpoints, epoch: number) => c.curve.find((q) => q.epoch === epoch)?.fid;
const none: Choice = { runId: '', epoch: '' };

function GeneratorPicker({ label, runs, value, onChange, testId }: { label: string; runs: RunView[]; value: Choice; onChange: (c: Choice) => void; testId: string }) {
  const chosen = runs.find((r) => r.id === value.runId);
  const { data: checkpoints, error } = useCheckpoints(value.runId);
  const epochs = checkpoints?.kept ?? [];
  const byDefault = checkpoints?.default;
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-end gap-2">
        <label className="text-sm">
          <span className="block text-xs text-zinc-500">{label}</span>
          <select data-testid={testId} className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" value={value.runId} onChange={(e) => onChange({ runId: e.target.value, epoch: '' })}>
            <option value="">none</option>
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.model.toUpperCase()} {r.preset} seed {r.seed} · {r.id}
              </option>
            ))}
          </select>
        </label>
        {chosen && (
          <label className="text-sm">
            <span className="block text-xs text-zinc-500">Checkpoint</span>
            <select data-testid={`${testId}-epoch`} className="rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" value={value.epoch} onChange={(e) => onChange({ ...value, epoch: e.target.value })}>
              <option value="">
                {byDefault ? (byDefault.by === 'best-fid' ? `best on validation (epoch ${byDefault.epoch}, FID ${byDefault.fid?.toFixed(1)})` : `latest (epoch ${byDefault.epoch})`) : 'default'}
              </option>
              {epochs.map((e) => {
                const fid = checkpoints ? fidOf(checkpoints, e) : undefined;
                return <option key={e} value={e}>epoch {e}{fid !== undefined ? ` · FID ${fid.toFixed(1)}` : ''}</option>;
              })}
            </select>
          </label>
        )}
      </div>
      {error && <p className="text-xs text-rose-700">{error}</p>}
      {chosen && checkpoints && (
        <figure className="rounded border border-zinc-200 p-2 dark:border-zinc-800">
          <figcaption className="mb-1 text-xs text-zinc-500" data-testid={`${testId}-default`}>
            FID on validation by epoch (lower is better). Default: {byDefault?.reason ?? 'none'}
            {value.epoch ? `; picked epoch ${value.epoch}` : ''}. Filled green: default; blue ring: picked; grey ring: kept checkpoints.
          </figcaption>
          <QualityCurve curve={checkpoints.curve} kept={checkpoints.kept} defaultEpoch={byDefault?.epoch ?? null} chosenEpoch={value.epoch ? Number(value.epoch) : null} testId={`${testId}-curve`} />
        </figure>
      )}
    </div>
  );
}

export function SynthesizeForm() {
  const { runs } = useRuns();
  const generators = useMemo(() => (runs ?? []).filter((r) => (r.model === 'vae' || r.model === 'gan') && r.status === 'succeeded'), [runs]);
  const [tumor, setTumor] = useState<Choice>(none);
  const [healthy, setHealthy] = useState<Choice>(none);
  const [perClass, setPerClass] = useState('1500');
  const [seed, setSeed] = useState('0');
  const [name, setName] = useState('');
  const [launched, setLaunched] = useState<RunView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const picked = [tumor, healthy].filter((c) => c.runId);
    try {
      const run = await trpc.datasets.synthesize.mutate({
        generators: picked.map((c) => ({ runId: c.runId, ...(c.epoch ? { epoch: Number(c.epoch) } : {}) })),
        perClass: Number(perClass),
        seed: Number(seed),
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      setLaunched(run);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <form onSubmit={submit} className="space-y-3 rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900" data-testid="synthesize-form">
      <h2 className="text-sm font-semibold">Generate a synthetic dataset</h2>
      {generators.length === 0 ? (
        <p className="text-sm text-zinc-500">No finished VAE or GAN run yet: <Link className="text-sky-700 hover:underline dark:text-sky-400" href="/runs/new">train a generator</Link> per class first.</p>
      ) : (
        <>
          <GeneratorPicker label="Tumour generator" runs={generators.filter((r) => r.imageClass === 'tumor')} value={tumor} onChange={setTumor} testId="synth-tumor" />
          <GeneratorPicker label="Healthy generator" runs={generators.filter((r) => r.imageClass === 'healthy')} value={healthy} onChange={setHealthy} testId="synth-healthy" />
          <div className="flex flex-wrap items-end gap-3 text-sm">
            <label>
              <span className="block text-xs text-zinc-500">Images per class</span>
              <input data-testid="synth-per-class" className="w-24 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" type="number" min={8} max={20000} value={perClass} onChange={(e) => setPerClass(e.target.value)} />
            </label>
            <label>
              <span className="block text-xs text-zinc-500">Seed</span>
              <input className="w-20 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" type="number" min={0} value={seed} onChange={(e) => setSeed(e.target.value)} />
            </label>
            <label>
              <span className="block text-xs text-zinc-500">Name (optional)</span>
              <input className="w-56 rounded border border-zinc-300 px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" value={name} onChange={(e) => setName(e.target.value)} placeholder="synthetic-vae-…" />
            </label>
            <button type="submit" data-testid="synth-submit" className="rounded bg-sky-700 px-3 py-1.5 text-white hover:bg-sky-800 disabled:opacity-50" disabled={!tumor.runId && !healthy.runId}>
              Generate
            </button>
          </div>
        </>
      )}
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900" data-testid="synth-error">{error}</p>}
      {launched && (
        <p className="text-sm" data-testid="synth-launched">
          Synthesis run <Link className="text-sky-700 hover:underline dark:text-sky-400" href={`/runs/${launched.id}`}>{launched.id}</Link> queued; the dataset appears above when it finishes.
        </p>
      )}
    </form>
  );
}
