'use client';
// A run, live: status, the backend that trained it, loss and accuracy curves that grow as
// points arrive, the log, and the final test metrics; who else is watching, and the comments,
// pinned to steps (markers on the charts) or sample grids.
import Link from 'next/link';
import { use, useEffect, useState } from 'react';
import { useRouter } from 'next/navigation';
import { useRun } from '../../lib/use-run';
import { LiveChart, type SeriesSpec } from '../../components/live-chart';
import { MetricsPanel } from '../../components/metrics-panel';
import { StatusBadge, ProgressBar } from '../../components/status-badge';
import { duration, modelLabel, personLabel, time } from '../../lib/format';
import { SampleGrids } from '../../components/sample-grids';
import { isAnomalySummary, isClassifierSummary, isGeneratorSummary, isSyntheticSummary, type SyntheticSummary } from '../../../lib/contracts/events';
import { AnomalyPanel } from '../../components/anomaly-panel';
import { CurveChart } from '../../components/curve-chart';
import { METRICS } from '../../../lib/contracts/metrics';
import { trpc, errorMessage } from '../../lib/trpc';
import { useMe } from '../../lib/use-me';
import { useRunAnnotations } from '../../lib/use-run-annotations';
import { PersonChips } from '../../components/person-chips';
import { CommentsPanel } from '../../components/comments-panel';
import { DeleteButton } from '../../components/delete-button';
import { getSocket } from '../../lib/socket';

const LOSS: SeriesSpec[] = [
  { name: METRICS.trainLoss, label: 'train loss', color: '#0284c7' },
  { name: METRICS.valLoss, label: 'validation loss', color: '#e11d48', markers: true },
];
const VAE_LOSS: SeriesSpec[] = [
  { name: METRICS.vaeTotal, label: 'total', color: '#0284c7' },
  { name: METRICS.vaeReconstruction, label: 'reconstruction (BCE)', color: '#16a34a' },
  { name: METRICS.vaeKl, label: 'KL', color: '#e11d48' },
];
const GAN_LOSS: SeriesSpec[] = [
  { name: METRICS.ganDLoss, label: 'D loss', color: '#e11d48' },
  { name: METRICS.ganGLoss, label: 'G loss', color: '#0284c7' },
];
const GAN_D: SeriesSpec[] = [
  { name: METRICS.ganDReal, label: 'D(x)', color: '#16a34a' },
  { name: METRICS.ganDFake, label: 'D(G(z))', color: '#a855f7' },
];
/** Generators: quality on the real validation images, once per measured epoch (FID apart, as its
 * scale is the encoder's; precision, recall and class fidelity share [0, 1]). */
const QUALITY_FID: SeriesSpec[] = [{ name: METRICS.qualityFid, label: 'FID (lower is better)', color: '#d97706', markers: true }];
const QUALITY_PR: SeriesSpec[] = [
  { name: METRICS.qualityPrecision, label: 'precision (realism)', color: '#0284c7', markers: true },
  { name: METRICS.qualityRecall, label: 'recall (diversity)', color: '#16a34a', markers: true },
  { name: METRICS.qualityClassFidelity, label: 'class fidelity (called its class)', color: '#e11d48', markers: true },
  { name: METRICS.qualityClassFidelityReal, label: 'class fidelity of real images', color: '#a1a1aa', markers: true },
];
const CVAE_LOSS: SeriesSpec[] = [
  { name: METRICS.cvaeTotal, label: 'total', color: '#0284c7' },
  { name: METRICS.cvaeReconstruction, label: 'reconstruction (BCE)', color: '#16a34a' },
  { name: METRICS.cvaeKl, label: 'KL', color: '#e11d48' },
];
const CVAE_VAL: SeriesSpec[] = [
  { name: METRICS.valErrorHealthy, label: 'healthy', color: '#16a34a', markers: true },
  { name: METRICS.valErrorTumor, label: 'tumour', color: '#e11d48', markers: true },
];
const ACCURACY: SeriesSpec[] = [
  { name: METRICS.trainAccuracy, label: 'train accuracy (batch)', color: '#0284c7' },
  { name: METRICS.valAccuracy, label: 'validation accuracy', color: '#e11d48', markers: true },
];

export default function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const { run, config, points, pointsVersion, images, logs, error } = useRun(id);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const { me, can } = useMe();
  const team = useRunAnnotations(id, points, pointsVersion);
  const annotations = team.annotations;
  const router = useRouter();
  const deleted = useDeleted(id);

  if (deleted) return <p data-testid="run-deleted" className="rounded bg-amber-100 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">Run {id} was deleted. <Link href="/" className="underline">Back to the runs</Link></p>;
  if (error) return <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">{error}</p>;
  if (!run) return <p className="text-sm text-zinc-500">Loading run {id}…</p>;
  const elapsed = run.startedAt ? (run.finishedAt ?? Date.now()) - run.startedAt : null;
  const active = run.status === 'queued' || run.status === 'running';

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="font-mono text-lg font-semibold">{run.id}</h1>
        <StatusBadge status={run.status} />
        <ProgressBar value={run.progress} />
        <PersonChips people={team.viewers.filter((v) => v.id !== me?.id)} label="Also here" testId="page-watchers" />
        {active && can('editor') && (
          <button
            className="ml-auto rounded border border-zinc-300 px-3 py-1 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            onClick={() => trpc.runs.cancel.mutate({ id: run.id }).catch((e) => setCancelError(errorMessage(e)))}
          >
            Cancel run
          </button>
        )}
        {can('editor') && <span className={active ? '' : 'ml-auto'}><DeleteButton kind="run" id={run.id} onDeleted={() => router.push('/')} /></span>}
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
        <Field label="Model" value={modelLabel(run)} />
        <Field label="Preset / seed" value={`${run.preset} / ${run.seed}`} />
        <Field label="Train data" value={`${run.trainData} (${[run.datasetId, config && 'syntheticDatasetId' in config ? config.syntheticDatasetId : undefined].filter(Boolean).join(' + ')})`} />
        <Field label="Backend" value={run.backend ?? 'not started'} testId="run-backend" />
        <Field label="Worker" value={run.workerId ?? '—'} />
        <Field label="Needs a GPU" value={config?.requireGpu ? 'yes' : 'no'} testId="run-require-gpu" />
        <Field label="Started" value={time(run.startedAt)} />
        <Field label="Finished" value={time(run.finishedAt)} />
        <Field label="Duration" value={elapsed === null ? '—' : duration(elapsed)} />
        <Field label="Launched by" value={personLabel(run.launchedBy, run.launchedById)} testId="run-launched-by" />
      </dl>
      {run.status === 'failed' && (
        <p data-testid="run-error" className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900 dark:bg-rose-950 dark:text-rose-200">
          <strong>This run failed:</strong> {run.error}
        </p>
      )}
      {run.attemptErrors.length > 0 && run.status !== 'failed' && (
        <div data-testid="run-attempts" className="rounded bg-amber-100 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          <strong>{run.status === 'queued' ? `Attempt ${run.attempts + 1} next` : `Attempt ${run.attempts}`}:</strong> this run was interrupted and {run.status === 'queued' ? 'waits to resume' : 'resumed'} from its last saved epoch.
          <ul className="mt-1 list-disc pl-5">
            {run.attemptErrors.map((reason, i) => (
              <li key={i}>Attempt {i + 1}: {reason}</li>
            ))}
          </ul>
        </div>
      )}
      {cancelError && <p className="text-sm text-rose-700">{cancelError}</p>}
      {run.summary && isClassifierSummary(run.summary) && <MetricsPanel summary={run.summary} />}
      {run.summary && isClassifierSummary(run.summary) && run.summary.scores && (
        <div className="grid gap-4 md:grid-cols-3">
          <CurveChart title={`ROC (test), AUROC ${run.summary.scores.auroc.toFixed(3)}`} curves={[{ label: 'BrainCNN', x: run.summary.scores.roc.fpr, y: run.summary.scores.roc.tpr, color: '#0284c7' }]} xLabel="false-positive rate" yLabel="sensitivity" diagonal testId="roc-chart" />
          <CurveChart title={`Precision-recall (test), AUPRC ${run.summary.scores.auprc.toFixed(3)}`} curves={[{ label: 'BrainCNN', x: run.summary.scores.pr.recall, y: run.summary.scores.pr.precision, color: '#0284c7' }]} xLabel="recall" yLabel="precision" testId="pr-chart" />
        </div>
      )}
      {run.summary && isAnomalySummary(run.summary) && <AnomalyPanel summary={run.summary} images={images} />}
      {run.summary && isGeneratorSummary(run.summary) && (
        <p className="text-sm" data-testid="final-losses">
          Final losses (mean over the last epoch): {Object.entries(run.summary.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' · ')}
        </p>
      )}
      {run.model === 'cnn' && (
        <div className="grid gap-4 md:grid-cols-2">
          <LiveChart title="Loss (cross-entropy)" points={points} version={pointsVersion} series={LOSS} yLabel="loss" testId="loss-chart" annotations={annotations} />
          <LiveChart title="Accuracy" points={points} version={pointsVersion} series={ACCURACY} yLabel="accuracy" testId="accuracy-chart" annotations={annotations} />
        </div>
      )}
      {run.model === 'cvae' && (
        <div className="grid gap-4 md:grid-cols-2">
          <LiveChart title="CVAE loss per image (healthy training images)" points={points} version={pointsVersion} series={CVAE_LOSS} yLabel="loss" testId="loss-chart" annotations={annotations} />
          <LiveChart title="Validation mean |x − x̂| per class (the gap is the signal)" points={points} version={pointsVersion} series={CVAE_VAL} yLabel="mean error" testId="val-error-chart" annotations={annotations} />
        </div>
      )}
      {run.model === 'vae' && <LiveChart title="VAE loss per image (reconstruction + KL)" points={points} version={pointsVersion} series={VAE_LOSS} yLabel="loss" testId="loss-chart" annotations={annotations} />}
      {run.model === 'gan' && (
        <div className="grid gap-4 md:grid-cols-2">
          <LiveChart title="GAN losses" points={points} version={pointsVersion} series={GAN_LOSS} yLabel="loss" testId="loss-chart" annotations={annotations} />
          <LiveChart title="Discriminator outputs" points={points} version={pointsVersion} series={GAN_D} yLabel="probability" testId="d-chart" annotations={annotations} />
        </div>
      )}
      {(run.model === 'vae' || run.model === 'gan') && config && 'qualityEvery' in config && config.qualityEvery !== undefined && (
        <section data-testid="quality-charts" className="space-y-2">
          <h2 className="text-sm font-semibold">Quality on validation <span className="font-normal text-zinc-500">(a fixed sample against the real validation {run.imageClass} images, every {config.qualityEvery === 1 ? 'epoch' : `${config.qualityEvery} epochs`} and the last)</span></h2>
          <div className="grid gap-4 md:grid-cols-2">
            <LiveChart title="Quality on validation: FID" points={points} version={pointsVersion} series={QUALITY_FID} yLabel="FID" testId="quality-fid-chart" annotations={annotations} />
            <LiveChart title="Quality on validation: k-NN precision, recall and class fidelity" points={points} version={pointsVersion} series={QUALITY_PR} yLabel="share" testId="quality-pr-chart" annotations={annotations} />
          </div>
        </section>
      )}
      {(run.model === 'vae' || run.model === 'gan') && <SampleGrids images={images} pins={team.gridPins} onShown={team.onGridShown} />}
      {run.summary && isSyntheticSummary(run.summary) && <SyntheticOutcome summary={run.summary} />}
      <CommentsPanel
        target={{ kind: 'run', id: run.id }}
        title="Comments"
        comments={team.comments}
        error={team.error}
        pinning={run.model === 'synth' ? undefined : team.pinning}
        selectedId={team.selectedId}
        onSelect={team.setSelectedId}
      />
      <section className="rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 className="mb-2 text-sm font-semibold">Log</h2>
        <ol data-testid="run-log" className="max-h-64 overflow-auto font-mono text-xs leading-5">
          {logs.length === 0 && <li className="text-zinc-500">Nothing logged yet.</li>}
          {logs.map((l, i) => (
            <li key={i} className={l.level === 'error' ? 'text-rose-600' : l.level === 'warn' ? 'text-amber-600' : ''}>
              <span className="text-zinc-500">{new Date(l.ts).toLocaleTimeString()}</span> {l.message}
            </li>
          ))}
        </ol>
      </section>
      <details className="text-sm">
        <summary className="cursor-pointer text-zinc-500">Configuration</summary>
        <pre className="mt-2 overflow-auto rounded bg-zinc-100 p-3 text-xs dark:bg-zinc-900">{JSON.stringify(config, null, 2)}</pre>
      </details>
    </div>
  );
}

function Field({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd data-testid={testId} className="truncate font-medium">{value}</dd>
    </div>
  );
}

function SyntheticOutcome({ summary }: { summary: SyntheticSummary }) {
  const q = summary.quality;
  return (
    <section data-testid="synthetic-outcome" className="rounded border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h2 className="mb-1 font-semibold">Synthetic dataset</h2>
      <p>
        {summary.datasetId ? (
          <Link className="text-sky-700 hover:underline dark:text-sky-400" href={`/datasets/${summary.datasetId}`}>{summary.datasetName ?? summary.datasetId}</Link>
        ) : (
          'not registered'
        )}{' '}
        — {summary.count} images at {summary.imageSize} px ({summary.classCounts.tumor} tumour, {summary.classCounts.healthy} healthy)
      </p>
      <p className="mt-1 font-mono text-xs">
        FID {q.fid.toPrecision(3)} · KID {q.kid.toPrecision(3)} · precision {(q.precision * 100).toFixed(1)}% · recall {(q.recall * 100).toFixed(1)}% · memorisation ratio {q.memorizationRatio.toFixed(3)}
      </p>
      {(q.copyingLikely || q.modeCollapseLikely) && (
        <p className="mt-1 text-amber-800 dark:text-amber-300">{[q.copyingLikely && 'copying likely', q.modeCollapseLikely && 'mode collapse likely'].filter(Boolean).join(' · ')}: see the dataset report.</p>
      )}
    </section>
  );
}

/** Whether the run was deleted while this page shows it (by someone else, or in another tab). */
function useDeleted(id: string): boolean {
  const [deleted, setDeleted] = useState(false);
  useEffect(() => {
    const socket = getSocket();
    const onDeleted = ({ runIds }: { runIds: string[] }) => runIds.includes(id) && setDeleted(true);
    socket.on('runs:deleted', onDeleted);
    return () => void socket.off('runs:deleted', onDeleted);
  }, [id]);
  return deleted;
}
