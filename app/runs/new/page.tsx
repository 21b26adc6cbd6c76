'use client';
// The launch form: pick a model, a preset and a seed; every preset field can be changed, and
// the server validates the whole config again before queueing the run.
import { useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { presetFor, presetNames, techniqueNames, type ModelName, type PresetName, type TechniqueName, type TrainDataKind } from '../../../lib/contracts/run-config';
import { trpc, errorMessage } from '../../lib/trpc';
import { useMe } from '../../lib/use-me';

type Datasets = Awaited<ReturnType<typeof trpc.datasets.list.query>>;

const presetHelp: Record<PresetName, string> = {
  smoke: 'Tiny images and a capped subset: finishes in seconds. For checking the pipeline.',
  quick: '64x64 images, half-width layers, the full training split: minutes on a laptop CPU.',
  paper: "The paper's exact architecture at 128x128: meant for a GPU worker.",
};

const models: { value: ModelName; label: string }[] = [
  { value: 'cnn', label: 'BrainCNN (classifier, paper 5.2)' },
  { value: 'cvae', label: 'BrainCVAE (anomaly detector, paper 5.2)' },
  { value: 'vae', label: 'VAE (generator of one class, paper 5.1)' },
  { value: 'gan', label: 'GAN (generator of one class, paper 5.1)' },
];

const allFields = [
  { key: 'imageSize', label: 'Image size (px)', help: 'Images are resized to this square size.', options: [32, 64, 128], models: ['cnn', 'cvae', 'vae', 'gan'] },
  { key: 'width', label: 'Width multiplier', help: "1 = the paper's layer widths.", step: 0.125, models: ['cnn', 'cvae', 'vae', 'gan'] },
  { key: 'latentDim', label: 'Latent size', help: 'Paper: 512 for the VAE; not given for the CVAE (we use 128).', step: 1, models: ['vae', 'cvae'] },
  { key: 'epochs', label: 'Epochs', help: 'Passes over the training split.', step: 1, models: ['cnn', 'cvae', 'vae', 'gan'] },
  { key: 'batchSize', label: 'Batch size', help: 'Images per optimiser step.', step: 1, models: ['cnn', 'cvae', 'vae', 'gan'] },
  { key: 'learningRate', label: 'Learning rate', help: 'Adam step size.', step: 0.0001, models: ['cnn', 'cvae', 'vae', 'gan'] },
  { key: 'dropout', label: 'Dropout', help: 'After each dense layer (paper: 0.5).', step: 0.05, models: ['cnn'] },
  { key: 'patience', label: 'Patience (epochs)', help: 'Stops after this many epochs without a validation improvement.', step: 1, models: ['cnn'] },
  { key: 'sampleEvery', label: 'Sample every (steps)', help: 'How often a sample grid is streamed.', step: 1, models: ['vae', 'gan'] },
  { key: 'qualityEvery', label: 'Quality every (epochs)', help: 'FID, KID, precision and recall on validation; always at the last epoch.', step: 1, models: ['vae', 'gan'] },
] as const;
type FieldKey = (typeof allFields)[number]['key'];
const fieldsOf = (model: ModelName) => allFields.filter((f) => (f.models as readonly string[]).includes(model));

export default function NewRunPage() {
  const router = useRouter();
  const { me, can } = useMe();
  const [model, setModel] = useState<ModelName>('cnn');
  const [imageClass, setImageClass] = useState<'tumor' | 'healthy'>('tumor');
  const [preset, setPreset] = useState<PresetName>('quick');
  const [seed, setSeed] = useState('0');
  const [datasets, setDatasets] = useState<Datasets | null>(null);
  const [datasetId, setDatasetId] = useState('');
  const [values, setValues] = useState<Partial<Record<FieldKey, string>>>(() => presetValues('cnn', 'quick'));
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [trainData, setTrainData] = useState<TrainDataKind>('real');
  const [syntheticId, setSyntheticId] = useState('');
  const [mixRatio, setMixRatio] = useState('1');
  const [techniques, setTechniques] = useState<TechniqueName[]>([...techniqueNames]);
  const [requireGpu, setRequireGpu] = useState(false);
  const classifier = model === 'cnn' || model === 'cvae';
  const syntheticSets = (datasets ?? []).filter((d) => d.kind === 'synthetic');

  useEffect(() => {
    trpc.datasets.list.query().then((list) => {
      setDatasets(list);
      setDatasetId(list.find((d) => d.isDefault)?.id ?? list[0]?.id ?? '');
    }, (err) => setError(errorMessage(err)));
  }, []);

  const choosePreset = (p: PresetName) => {
    setPreset(p);
    setValues(presetValues(model, p));
  };
  const chooseModel = (m: ModelName) => {
    setModel(m);
    setValues(presetValues(m, preset));
  };
  const fields = fieldsOf(model);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      const overrides = Object.fromEntries(fields.map((f) => [f.key, Number(values[f.key])]));
      const run = await trpc.runs.launch.mutate({
        model,
        preset,
        seed: Number(seed),
        datasetId: datasetId || undefined,
        imageClass: classifier ? undefined : imageClass,
        overrides: overrides as never,
        ...(classifier ? { trainData } : {}),
        ...(classifier && trainData !== 'real' ? { syntheticDatasetId: syntheticId || syntheticSets[0]?.id } : {}),
        ...(classifier && trainData === 'mixed' ? { mixRatio: Number(mixRatio) } : {}),
        ...(model === 'cvae' ? { techniques } : {}),
        ...(requireGpu ? { requireGpu } : {}),
      });
      router.push(`/runs/${run.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setSubmitting(false);
    }
  };

  const input = 'mt-1 w-full rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900';
  if (me === undefined) return <p className="text-sm text-zinc-500">Loading…</p>;
  if (!can('editor')) {
    return (
      <p className="rounded border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400" data-testid="launch-forbidden">
        Launching runs needs the editor role; you are signed in as a {me?.role ?? 'visitor'}. Ask an admin to change your role on the People page.
      </p>
    );
  }
  return (
    <form onSubmit={submit} className="max-w-3xl space-y-6" data-testid="launch-form">
      <h1 className="text-xl font-semibold">Launch a run</h1>
      <div className="grid gap-4 sm:grid-cols-3">
        <label className="text-sm">
          Model
          <select className={input} name="model" value={model} onChange={(e) => chooseModel(e.target.value as ModelName)}>
            {models.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
          </select>
        </label>
        {!classifier && (
          <label className="text-sm">
            Class to learn
            <select className={input} name="imageClass" value={imageClass} onChange={(e) => setImageClass(e.target.value as 'tumor' | 'healthy')}>
              <option value="tumor">tumour (yes/)</option>
              <option value="healthy">healthy (no/)</option>
            </select>
            <span className="mt-0.5 block text-xs text-zinc-500">Trained on this class's training split only.</span>
          </label>
        )}
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
      {classifier && (
        <div className="grid gap-4 sm:grid-cols-3" data-testid="train-data-fields">
          <label className="text-sm">
            Training data
            <select className={input} name="trainData" value={trainData} onChange={(e) => setTrainData(e.target.value as TrainDataKind)}>
              <option value="real">real (the dataset's training split)</option>
              <option value="synthetic">synthetic only</option>
              <option value="mixed">mixed (real + synthetic)</option>
            </select>
            <span className="mt-0.5 block text-xs text-zinc-500">{model === 'cvae' ? 'Healthy images only. ' : ''}Validation and test are always the real dataset's.</span>
          </label>
          {trainData !== 'real' && (
            <label className="text-sm">
              Synthetic dataset
              <select className={input} name="syntheticDatasetId" value={syntheticId || syntheticSets[0]?.id || ''} onChange={(e) => setSyntheticId(e.target.value)}>
                {syntheticSets.length === 0 && <option value="">none yet: generate one on the datasets page</option>}
                {syntheticSets.map((d) => <option key={d.id} value={d.id}>{d.name} ({d.count} images)</option>)}
              </select>
            </label>
          )}
          {trainData === 'mixed' && (
            <label className="text-sm">
              Mix ratio
              <input className={input} name="mixRatio" type="number" min={0} max={10} step={0.25} value={mixRatio} onChange={(e) => setMixRatio(e.target.value)} />
              <span className="mt-0.5 block text-xs text-zinc-500">Synthetic images added per real training image (0.5 = +50%).</span>
            </label>
          )}
        </div>
      )}
      {model === 'cvae' && (
        <fieldset className="flex flex-wrap gap-4 text-sm">
          <legend className="mb-1 text-sm font-medium">Decision techniques (each tuned on validation, tested once)</legend>
          {techniqueNames.map((t) => (
            <label key={t} className="flex items-center gap-1">
              <input type="checkbox" name={`technique-${t}`} checked={techniques.includes(t)} onChange={(e) => setTechniques(e.target.checked ? techniqueNames.filter((x) => x === t || techniques.includes(x)) : techniques.filter((x) => x !== t))} />
              {t}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Preset</legend>
        {presetNames.map((p) => (
          <label key={p} className="flex items-start gap-2 text-sm">
            <input type="radio" name="preset" value={p} checked={preset === p} onChange={() => choosePreset(p)} className="mt-1" data-testid={`preset-${p}`} />
            <span><strong className="font-mono">{p}</strong> — {presetHelp[p]}</span>
          </label>
        ))}
        <label className="flex items-start gap-2 pt-1 text-sm">
          <input type="checkbox" name="requireGpu" checked={requireGpu} onChange={(e) => setRequireGpu(e.target.checked)} className="mt-1" data-testid="require-gpu" />
          <span>
            <strong>Needs a GPU</strong> — Only a worker with a GPU (tfjs-node-gpu) takes this run; it waits in the queue until one is attached.
          </span>
        </label>
      </fieldset>
      <fieldset className="grid gap-4 sm:grid-cols-3">
        <legend className="mb-2 text-sm font-medium">Hyper-parameters (from the preset; change any)</legend>
        {fields.map((f) => (
          <label key={f.key} className="text-sm">
            {f.label}
            {'options' in f ? (
              <select className={input} name={f.key} value={values[f.key] ?? ''} onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}>
                {f.options.map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            ) : (
              <input className={input} name={f.key} type="number" step={f.step} value={values[f.key] ?? ''} onChange={(e) => setValues({ ...values, [f.key]: e.target.value })} />
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

function presetValues(model: ModelName, p: PresetName): Partial<Record<FieldKey, string>> {
  const preset = presetFor(model, p);
  return Object.fromEntries(fieldsOf(model).map((f) => [f.key, String(preset[f.key])]));
}
