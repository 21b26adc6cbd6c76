'use client';
// One dataset version: counts, splits, preview grids, raw-versus-preprocessed pairs, and the
// import report (skipped files and near-duplicates).
import { use, useEffect, useState } from 'react';
import { trpc, errorMessage } from '../../lib/trpc';
import { LineagePanel, QualityReport } from '../../components/quality-report';
import { useRouter } from 'next/navigation';
import { DeleteButton } from '../../components/delete-button';
import { useMe } from '../../lib/use-me';

type Dataset = Awaited<ReturnType<typeof trpc.datasets.get.query>>;

export default function DatasetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = use(params);
  const [d, setD] = useState<Dataset | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { can } = useMe();
  const router = useRouter();
  useEffect(() => void trpc.datasets.get.query({ id }).then(setD, (e) => setError(errorMessage(e))), [id]);

  if (error) return <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900">{error}</p>;
  if (!d) return <p className="text-sm text-zinc-500">Loading dataset…</p>;
  const stat = (label: string, value: string | number) => (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="font-medium">{value}</dd>
    </div>
  );
  const synthetic = d.kind === 'synthetic';
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">{d.name} <span className="font-mono text-sm font-normal text-zinc-500">{d.id}</span></h1>
        {can('editor') && d.kind !== 'demo' && <span className="ml-auto"><DeleteButton kind="dataset" id={d.id} onDeleted={() => router.push('/datasets')} /></span>}
      </div>
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" data-testid="dataset-stats">
        {stat('Images', `${d.count} at ${d.imageSize}×${d.imageSize}`)}
        {stat('Tumour / healthy / unlabelled', `${d.classCounts.tumor} / ${d.classCounts.healthy} / ${d.classCounts.unlabelled ?? 0}`)}
        {stat('Near-duplicate groups', `${d.duplicateGroups} (${d.duplicateCount} copies of another image)`)}
        {stat('Source', d.source ?? '—')}
        {stat('Classifier split (train/val/test)', `${d.splitSizes.train} / ${d.splitSizes.val} / ${d.splitSizes.test}`)}
        {stat('Anomaly split (healthy train/val/test)', d.anomalySplitSizes ? `${d.anomalySplitSizes.train} / ${d.anomalySplitSizes.val} / ${d.anomalySplitSizes.test}` : '—')}
        {stat('Content hash', d.contentHash.slice(0, 16))}
        {stat('Kind', d.kind)}
      </dl>
      {d.lineage && <LineagePanel lineage={d.lineage as never} />}
      {d.report && <QualityReport datasetId={d.id} report={d.report} />}
      <section className="grid gap-4 md:grid-cols-2">
        {d.classCounts.tumor > 0 && <figure>
          <figcaption className="mb-1 text-sm font-medium">Tumour (first 32, {synthetic ? 'synthetic' : 'preprocessed'})</figcaption>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={`/api/datasets/${d.id}/preview-tumor.png`} alt="tumour slices" className="pixelated w-full" data-testid="preview-tumor" />
        </figure>}
        {d.classCounts.healthy > 0 && <figure>
          <figcaption className="mb-1 text-sm font-medium">Healthy (first 32, {synthetic ? 'synthetic' : 'preprocessed'})</figcaption>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src={`/api/datasets/${d.id}/preview-healthy.png`} alt="healthy slices" className="pixelated w-full" />
        </figure>}
      </section>
      {!synthetic && <figure>
        <figcaption className="mb-1 text-sm font-medium">Before / after preprocessing (raw canvas on grey, then brain box on the shared background)</figcaption>
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img src={`/api/datasets/${d.id}/before-after.png`} alt="raw and preprocessed pairs" className="pixelated w-full max-w-2xl" />
      </figure>}
      {d.skipped.length > 0 && (
        <section>
          <h2 className="mb-1 text-sm font-semibold">Skipped files ({d.skipped.length})</h2>
          <ul className="max-h-48 overflow-auto font-mono text-xs" data-testid="skipped-list">
            {d.skipped.map((r) => <li key={r.path}>{r.path}: {r.reason}</li>)}
          </ul>
        </section>
      )}
      {d.duplicates.length > 0 && (
        <section>
          <h2 className="mb-1 text-sm font-semibold">Near-duplicates (kept, grouped so they never straddle splits)</h2>
          <ul className="max-h-48 overflow-auto font-mono text-xs">
            {d.duplicates.map((r) => <li key={r.path}>{r.path} ~ {r.duplicateOf}</li>)}
          </ul>
        </section>
      )}
    </div>
  );
}
