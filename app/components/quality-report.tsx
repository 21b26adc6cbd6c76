'use client';
// A synthetic dataset's lineage and its quality and privacy report: per class, realism and
// diversity (FID / KID against the real-versus-real baseline, precision / recall, MS-SSIM),
// memorisation (distance to the closest real training image against held-out real images) with
// the gallery of the closest pairs, and warnings when copying or mode collapse is likely.
import Link from 'next/link';
import type { QualityFile } from '../../lib/contracts/quality';

interface Lineage {
  synthesisRun: string;
  realDataset: string;
  realDatasetName: string | null;
  seed: number;
  perClass: number;
  generators: { runId: string; model: string; imageClass: string; epoch: number; checkpoint: string; reason?: string }[];
}

const link = 'text-sky-700 hover:underline dark:text-sky-400';
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
/** Three significant digits: FID and KID scales depend on the encoder's feature scale. */
const sig = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(3))) : v.toExponential(2));

export function LineagePanel({ lineage }: { lineage: Lineage }) {
  return (
    <section data-testid="lineage" className="rounded border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <h2 className="mb-1 font-semibold">Lineage</h2>
      <ul className="space-y-0.5">
        {lineage.generators.map((g) => (
          <li key={g.runId}>
            {g.imageClass}: {g.model.toUpperCase()} run <Link className={link} href={`/runs/${g.runId}`}>{g.runId}</Link>, checkpoint epoch {g.epoch}{g.reason ? ` (${g.reason})` : ''}
          </li>
        ))}
        <li>
          drawn by synthesis run <Link className={link} href={`/runs/${lineage.synthesisRun}`}>{lineage.synthesisRun}</Link> with seed {lineage.seed}, {lineage.perClass} images per class
        </li>
        <li>
          generators learned from <Link className={link} href={`/datasets/${lineage.realDataset}`}>{lineage.realDatasetName ?? lineage.realDataset}</Link> (training split only)
        </li>
      </ul>
    </section>
  );
}

export function QualityReport({ datasetId, report }: { datasetId: string; report: QualityFile }) {
  const warnings = report.classes.flatMap((c) => c.warnings.map((w) => `${c.imageClass}: ${w}`));
  const rows: [string, (c: QualityFile['classes'][number]) => string, string][] = [
    ['FID (real baseline)', (c) => `${sig(c.fid)} (${sig(c.fidRealBaseline)})`, 'Fréchet distance of encoder features to the real training images; the bracket is real held-out images against the same training images, the best a generator can hope for.'],
    ['KID (real baseline)', (c) => `${sig(c.kid.mean)} ± ${sig(c.kid.std)} (${sig(c.kidRealBaseline.mean)})`, 'Kernel distance (unbiased, cubic kernel), mean ± sd over subsets.'],
    ['Precision', (c) => pct(c.precision), 'Share of synthetic images inside the real k-NN manifold (realism).'],
    ['Recall', (c) => pct(c.recall), 'Share of real images inside the synthetic k-NN manifold (diversity).'],
    ['Class fidelity (real held-out)', (c) => (c.classFidelity ? `${pct(c.classFidelity.synthetic)} (${pct(c.classFidelity.realHeldOut)})` : '—'), 'Share of images the domain encoder, a BrainCNN trained on the real images, assigns to this class; the bracket is real held-out images of the class. Well below the bracket: many synthetic images lack what makes the class.'],
    ['MS-SSIM within set (real)', (c) => `${c.msSsim.synthetic.toFixed(3)} (${c.msSsim.real.toFixed(3)})`, 'Mean pairwise MS-SSIM; higher than the real set means less diverse.'],
    ['Memorisation ratio', (c) => c.memorization.memorizationRatio.toFixed(3), 'Median distance synthetic → closest real training image, over the same for real held-out images. About 1 is independent; well below 1 is copying.'],
    ['Near-exact copies', (c) => pct(c.memorization.nearCopyShare), 'Synthetic images closer to a training image than a quarter of the held-out median.'],
    ['Mode collapse', (c) => (c.modeCollapse.likely ? 'likely' : 'no'), 'Spread of the synthetic set against the real one, and near-duplicates within it.'],
    ['Images measured (synthetic / real train / held-out)', (c) => `${c.counts.synthetic} / ${c.counts.realTrain} / ${c.counts.realHeldOut}`, `At most ${report.evalCap} per set.`],
  ];
  return (
    <section className="space-y-3" data-testid="quality-report">
      <h2 className="font-semibold">Quality and privacy report</h2>
      {warnings.length > 0 && (
        <ul data-testid="quality-warnings" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200">
          {warnings.map((w) => <li key={w}>⚠ {w}</li>)}
        </ul>
      )}
      <table className="w-full max-w-3xl border-collapse text-sm">
        <thead>
          <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
            <th className="py-1 pr-3">Measure</th>
            {report.classes.map((c) => <th key={c.imageClass} className="pr-3 text-right">{c.imageClass}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, value, help]) => (
            <tr key={label} className="border-b border-zinc-100 dark:border-zinc-900">
              <td className="py-1 pr-3" title={help}>{label}</td>
              {report.classes.map((c) => <td key={c.imageClass} className="pr-3 text-right font-mono text-xs">{value(c)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs text-zinc-500">
        Features: the spatially averaged activations of the three convolution blocks ({report.encoder.featureDim} values, standardised by the real training images) of a BrainCNN
        (width {report.encoder.width}, {report.encoder.epochs} epochs, seed {report.encoder.seed}) trained on {report.encoder.trainImages} real training images of {report.encoder.datasetId} at{' '}
        {report.encoder.imageSize} px; validation accuracy {pct(report.encoder.valAccuracy)}. Memorisation and diversity are measured in pixel space. Held-out images are the real validation
        split; the test split is never read.
      </p>
      <div className="grid gap-4 md:grid-cols-2">
        {report.classes.map((c) => (
          <figure key={c.imageClass}>
            <figcaption className="mb-1 text-sm font-medium">Closest synthetic / real pairs ({c.imageClass}; synthetic left, nearest real training image right)</figcaption>
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={`/api/datasets/${datasetId}/closest-${c.imageClass}.png`} alt={`closest ${c.imageClass} pairs`} className="pixelated w-full max-w-md" data-testid={`closest-${c.imageClass}`} />
          </figure>
        ))}
      </div>
    </section>
  );
}
