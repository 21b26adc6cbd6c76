'use client';
// Datasets: every version with its class counts, near-duplicate groups and split sizes, and the
// import and synthesis forms and a Delete button per dataset for editors.
import Link from 'next/link';
import { trpc } from '../lib/trpc';
import { useLiveQuery } from '../lib/use-live-query';
import { UploadForm } from '../components/upload-form';
import { SynthesizeForm } from '../components/synthesize-form';
import { useMe } from '../lib/use-me';
import { DeleteButton } from '../components/delete-button';

export default function DatasetsPage() {
  const { data: datasets, error, reload: load } = useLiveQuery(() => trpc.datasets.list.query(), 'datasets:updated');
  const { can } = useMe();

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Datasets</h1>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900">{error}</p>}
      {datasets && (
        <table className="w-full border-collapse text-sm" data-testid="datasets-table">
          <thead>
            <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <th className="py-2 pr-3">Name</th>
              <th className="pr-3">Kind</th>
              <th className="pr-3 text-right">Images</th>
              <th className="pr-3 text-right">Tumour</th>
              <th className="pr-3 text-right">Healthy</th>
              <th className="pr-3 text-right">Unlabelled</th>
              <th className="pr-3 text-right">Dup. groups</th>
              <th className="pr-3">Classifier split</th>
              <th className="pr-3">Size</th>
              <th>Quality (FID · memorisation)</th>
              {can('editor') && <th><span className="sr-only">Delete</span></th>}
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => (
              <tr key={d.id} data-testid={`dataset-row-${d.name}`} className="border-b border-zinc-100 dark:border-zinc-900">
                <td className="py-2 pr-3"><Link href={`/datasets/${d.id}`} className="text-sky-700 hover:underline dark:text-sky-400">{d.name}</Link>{d.isDefault && <span className="ml-2 text-xs text-zinc-500">default</span>}</td>
                <td className="pr-3">{d.kind}</td>
                <td className="pr-3 text-right">{d.count}</td>
                <td className="pr-3 text-right">{d.classCounts.tumor}</td>
                <td className="pr-3 text-right">{d.classCounts.healthy}</td>
                <td className="pr-3 text-right">{d.classCounts.unlabelled ?? 0}</td>
                <td className="pr-3 text-right">{d.duplicateGroups}</td>
                <td className="pr-3">{d.splitSizes.train} / {d.splitSizes.val} / {d.splitSizes.test}</td>
                <td className="pr-3">{d.imageSize}×{d.imageSize}</td>
                <td className="font-mono text-xs" data-testid="dataset-quality">
                  {d.quality ? `${d.quality.fid.toPrecision(3)} · ${d.quality.memorizationRatio.toFixed(2)}` : '—'}
                  {d.quality && (d.quality.copyingLikely || d.quality.modeCollapseLikely) && <span className="ml-1 rounded bg-amber-100 px-1 text-amber-900" title="see the report">⚠</span>}
                </td>
                {can('editor') && <td className="pl-3 text-right">{d.kind !== 'demo' && <DeleteButton kind="dataset" id={d.id} small />}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {can('editor') && <SynthesizeForm />}
      {can('editor') && <UploadForm onImported={load} />}
    </div>
  );
}
