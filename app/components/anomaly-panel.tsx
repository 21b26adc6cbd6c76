'use client';
// A BrainCVAE run's outcome: per technique the hyper-parameters chosen on validation and the test
// metrics (positive = tumour) with AUROC / AUPRC and sensitivity at 95% specificity, the confusion
// matrices, ROC and PR curves, and the reconstruction-error heat maps (paper figures 4 and 5).
import type { AnomalySummary, RunImageView } from '../../lib/contracts/events';
import { pct } from '../lib/format';
import { isChanceLevel } from '../../lib/stats/table';
import { CurveChart, CURVE_COLOURS } from './curve-chart';

const LABELS: Record<string, string> = { giaem: 'GIAEM', dbscan: 'DBSCAN', kmeans: 'KMeans (per image)', 'global-kmeans': 'Global KMeans' };
const fmtParam = (k: string, v: number) => `${k} ${Number.isInteger(v) ? v : Number(v.toPrecision(3))}`;

export function AnomalyPanel({ summary, images }: { summary: AnomalySummary; images: RunImageView[] }) {
  const heatmap = images.filter((i) => i.kind === 'heatmap').at(-1);
  const roc = summary.techniques.map((t, i) => ({ label: LABELS[t.technique] ?? t.technique, x: t.scores.roc.fpr, y: t.scores.roc.tpr, color: CURVE_COLOURS[i] }));
  const pr = summary.techniques.map((t, i) => ({ label: LABELS[t.technique] ?? t.technique, x: t.scores.pr.recall, y: t.scores.pr.precision, color: CURVE_COLOURS[i] }));
  return (
    <section className="space-y-4" data-testid="anomaly-results">
      <div className="overflow-x-auto rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 className="mb-2 text-sm font-semibold">
          Test set ({summary.testSize} real images; each technique tuned on {summary.valSize} real validation images, then applied once)
        </h2>
        <table className="w-full border-collapse text-sm">
          <thead>
            <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <th className="py-1 pr-3">Technique</th>
              <th className="pr-3 text-right">Accuracy</th>
              <th className="pr-3 text-right">Precision</th>
              <th className="pr-3 text-right">Recall</th>
              <th className="pr-3 text-right">F1</th>
              <th className="pr-3 text-right">AUROC</th>
              <th className="pr-3 text-right">AUPRC</th>
              <th className="pr-3 text-right">Sens. @95% spec.</th>
              <th className="pr-3">Confusion (tp fp / fn tn)</th>
              <th>Chosen on validation</th>
            </tr>
          </thead>
          <tbody>
            {summary.techniques.map((t) => (
              <tr key={t.technique} className="border-b border-zinc-100 dark:border-zinc-900" data-testid={`technique-${t.technique}`}>
                <td className="py-1 pr-3 font-medium">
                  {LABELS[t.technique] ?? t.technique}
                  {isChanceLevel(t.confusion) && <span className="ml-1 text-xs text-amber-700 dark:text-amber-400">⚠ chance level</span>}
                </td>
                <td className="pr-3 text-right">{pct(t.accuracy, 2)}</td>
                <td className="pr-3 text-right">{pct(t.precision, 2)}</td>
                <td className="pr-3 text-right">{pct(t.recall, 2)}</td>
                <td className="pr-3 text-right">{pct(t.f1, 2)}</td>
                <td className="pr-3 text-right">{t.scores.auroc.toFixed(3)}</td>
                <td className="pr-3 text-right">{t.scores.auprc.toFixed(3)}</td>
                <td className="pr-3 text-right">{pct(t.scores.sensitivityAt95)}</td>
                <td className="pr-3 font-mono text-xs">{t.confusion.tp} {t.confusion.fp} / {t.confusion.fn} {t.confusion.tn}</td>
                <td className="font-mono text-xs">{Object.entries(t.params).filter(([k]) => k !== 'seed').map(([k, v]) => fmtParam(k, v)).join(', ')} (F1 {pct(t.validationF1)})</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="grid gap-4 md:grid-cols-3">
        <CurveChart title="ROC (test)" curves={roc} xLabel="false-positive rate" yLabel="sensitivity" diagonal testId="roc-chart" />
        <CurveChart title="Precision-recall (test)" curves={pr} xLabel="recall" yLabel="precision" testId="pr-chart" />
        {heatmap && (
          <figure className="rounded border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
            <figcaption className="mb-1 text-sm font-medium">Reconstruction error (rows 1-4 tumour, 5-8 healthy test images): input · reconstruction · |x − x̂| (0 to 0.5)</figcaption>
            {/* eslint-disable-next-line @next/next/no-img-element */}
            <img src={heatmap.url} alt="reconstruction-error heat maps" className="pixelated w-full max-w-xs" data-testid="heatmaps" />
          </figure>
        )}
      </div>
    </section>
  );
}
