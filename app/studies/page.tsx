'use client';
// Studies: launch the paper's Table 1 as one study (generators, synthetic datasets, then every
// classifier on real, synthetic and mixed data over several seeds), and follow every study live.
import { useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { trpc, errorMessage } from '../lib/trpc';
import { useLiveQuery } from '../lib/use-live-query';
import { presetNames, type PresetName } from '../../lib/contracts/run-config';
import { StudyStatus } from '../components/study-status';
import { useMe } from '../lib/use-me';
import { personLabel } from '../lib/format';

export default function StudiesPage() {
  const router = useRouter();
  const { data: studies, error: loadError } = useLiveQuery(() => trpc.studies.list.query(), 'study:updated');
  const [launchError, setError] = useState<string | null>(null);
  const error = launchError ?? loadError;
  const [preset, setPreset] = useState<PresetName>('quick');
  const [seeds, setSeeds] = useState('3');
  const [sweep, setSweep] = useState(true);
  const [name, setName] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const { can } = useMe();

  const launch = async (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const study = await trpc.studies.launch.mutate({ template: 'table1', preset, seeds: Number(seeds), sweep, ...(name.trim() ? { name: name.trim() } : {}) });
      router.push(`/studies/${study.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setSubmitting(false);
    }
  };
  const input = 'mt-1 block rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900';

  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold">Studies</h1>
      {can('editor') && <form onSubmit={launch} className="space-y-3 rounded border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900" data-testid="study-form">
        <h2 className="text-sm font-semibold">Reproduce the paper's Table 1</h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Four generators (VAE and GAN, one per class) → one synthetic dataset per architecture → BrainCNN and the BrainCVAE (GIAEM, DBSCAN, KMeans, Global KMeans) trained on real,
          synthetic and mixed data, for each seed, all tested on real data. Steps run as soon as what they need exists; identical runs that already succeeded are reused.
        </p>
        <div className="flex flex-wrap items-end gap-4 text-sm">
          <label>
            Preset
            <select className={input} name="preset" value={preset} onChange={(e) => setPreset(e.target.value as PresetName)}>
              {presetNames.map((p) => <option key={p} value={p}>{p}</option>)}
            </select>
          </label>
          <label>
            Seeds
            <input className={`${input} w-20`} name="seeds" type="number" min={1} max={10} value={seeds} onChange={(e) => setSeeds(e.target.value)} />
          </label>
          <label className="flex items-center gap-2 pb-1">
            <input type="checkbox" name="sweep" checked={sweep} onChange={(e) => setSweep(e.target.checked)} />
            mix-ratio sweep (BrainCNN with +25% and +50% synthetic)
          </label>
          <label>
            Name (optional)
            <input className={`${input} w-64`} name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Table 1 · quick · 3 seeds" />
          </label>
          <button type="submit" disabled={submitting} className="rounded bg-sky-700 px-4 py-1.5 font-medium text-white hover:bg-sky-800 disabled:opacity-50" data-testid="study-submit">
            {submitting ? 'Starting…' : 'Start study'}
          </button>
        </div>
      </form>}
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900" data-testid="study-error">{error}</p>}
      {studies && studies.length === 0 && <p className="text-sm text-zinc-500">No studies yet.</p>}
      {studies && studies.length > 0 && (
        <table className="w-full border-collapse text-sm" data-testid="studies-table">
          <thead>
            <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <th className="py-2 pr-3">Study</th>
              <th className="pr-3">Preset</th>
              <th className="pr-3">Seeds</th>
              <th className="pr-3">Status</th>
              <th className="pr-3">Launched by</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {studies.map((s) => (
              <tr key={s.id} className="border-b border-zinc-100 dark:border-zinc-900">
                <td className="py-2 pr-3"><Link href={`/studies/${s.id}`} className="text-sky-700 hover:underline dark:text-sky-400">{s.name}</Link></td>
                <td className="pr-3">{s.preset}</td>
                <td className="pr-3">{s.seeds.length}</td>
                <td className="pr-3"><StudyStatus status={s.status} counts={s.counts} /></td>
                <td className="pr-3 text-xs" data-testid="study-launched-by">{personLabel(s.launchedBy, s.launchedById)}</td>
                <td className="text-xs text-zinc-500">{new Date(s.createdAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
