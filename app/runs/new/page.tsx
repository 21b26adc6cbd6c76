'use client';
// The launch form: pick a model, a preset and a seed; every preset field can be changed, and
// the server validates the whole config again before queueing the run.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { cnnPresets, presetNames, type PresetName } from '../../../server/contracts/run-config';
import { trpc, errorMessage } from '../../lib/trpc';

type Datasets = Awaited<ReturnType<typeof trpc.datasets.list.query>>;

const presetHelp: Record<PresetName, string> = {
  smoke: 'Tiny images and a capped subset, two epochs: finishes in seconds. For checking the pipeline.',
  quick: '64x64 images, half-width layers, 6 epochs on the full training split: minutes on a laptop CPU.',
  paper: "The paper's exact BrainCNN at 128x128, 20 epochs: meant for a GPU worker.",
};

const fields = [
  { key: 'imageSize', label: 'Image size (px)', help: 'Images are resized to this square size.', options: [32, 64, 128] },
  { key: 'width', label: 'Width multiplier', help: "1 = the paper's 32/64/128 filters and 1024/512/128 units.", step: 0.125 },
  { key: 'epochs', label: 'Epochs', help: 'The best epoch on validation is kept.', step: 1 },
  { key: 'batchSize', label: 'Batch size', help: 'Images per optimiser step.', step: 1 },
  { key: 'learningRate', label: 'Learning rate', help: 'Adam step size.', step: 0.0001 },
  { key: 'dropout', label: 'Dropout', help: 'After each dense layer (paper: 0.5).', step: 0.05 },
] as const;
type FieldKey = (typeof fields)[number]['key'];

export default function NewRunPage() {
  const router = useRouter();
  const [preset, setPreset] = useState<PresetName>('quick');
  const [seed, setSeed] = useState('0');
  const [datasets, setDatasets] = useState<Datasets | null>(null);
  const [datasetId, setDatasetId] = useState('');
  const [values, setValues] = useState<Record<FieldKey, string>>(() => presetValues('quick'));
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    trpc.datasets.list.query().then((list) => {
      setDatasets(list);
      setDatasetId(list.find((d) => d.isDefault)?.id ?? list[0]?.id ?? '');
    }, (err) => setError(errorMessage(err)));
  }, []);

  const choosePreset = (p: PresetName) => {
    setPreset(p);
    setValues(presetValues(p));
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const overrides = Object.fromEntries(fields.map((f) => [f.key, Number(values[f.key])]));
      const run = await trpc.runs.launch.mutate({ model: 'cnn', preset, seed: Number(seed), datasetId: datasetId || undefined, overrides: overrides as never });
      router.push(`/runs/${run.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setSubmitting(false);
    }
  };

  const input = 'mt-1 w-full rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900';
  return (
    <form onSubmit={submit} className="max-w-3xl space-y-6" data-testid="launch-form">
      <h1 className="text-xl font-semibold">Launch a run</h1>
      <div className="grid gap-4 sm:grid-cols-3">
        <label className="text-sm">
          Model
          <select className={input} name="model" defaultValue="cnn">
            <option value="cnn">BrainCNN (classifier, paper 5.2)</option>
          </select>
        </label>
        <label className="text-sm">
          Dataset
          <select className={input} name="dataset" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            {datasets?.map((d) => (
              <option key={d.id} value={d.id}>{d.name} ({d.count} images)</option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Seed
          <input className={input} name="seed" type="number" min={0} step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />
        </label>
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Preset</legend>
        {presetNames.map((p) => (
          <label key={p} className="flex items-start gap-2 text-sm">
            <input type="radio" name="preset" value={p} checked={preset === p} onChange={() => choosePreset(p)} className="mt-1" data-testid={`preset-${p}`} />
            <span><strong className="font-mono">{p}</strong> — {presetHelp[p]}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="grid gap-4 sm:grid-cols-3">
        <legend className="mb-2 text-sm font-medium">Hyper-parameters (from the preset; change any)</legend>
        {fields.map((f) => (
          <label key={f.key} className="text-sm">
            {f.label}
            {'options' in f ? (
              <select className={input} name={f.key} value={values[f.key]} onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}>
                {f.options.map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            ) : (
              <input className={input} name={f.key} type="number" step={f.step} value={values[f.key]} onChange={(e) => setValues({ ...values, [f.key]: e.target.value })} />
            )}
            <span className="mt-0.5 block text-xs text-zinc-500">{f.help}</span>
          </label>
        ))}
      </fieldset>
      {error && <p data-testid="launch-error" className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">{error}</p>}
      <button type="submit" disabled={submitting || !datasets} className="rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50" data-testid="launch-submit">
        {submitting ? 'Launching…' : 'Launch run'}
      </button>
    </form>
  );
}

function presetValues(p: PresetName): Record<FieldKey, string> {
  const preset = cnnPresets[p];
  return Object.fromEntries(fields.map((f) => [f.key, String(preset[f.key])])) as Record<FieldKey, string>;
}
