'use client';
// The comparison table (the paper's Table 1): rows = model and technique, columns = the data the
// classifier trained on; each cell is the mean over seeds with its 95% bootstrap interval, n, the
// seeds and runs behind it, a chance-level flag, a mark for runs that may not have converged, a
// significance mark against the same row trained on real data, and the paper's own number where
// it has one; `cellAddon` adds to each cell (the comment badge of commented-table.tsx).
import { useState, type ReactNode } from 'react';
import Link from 'next/link';
import { pct } from '../lib/format';
import { paperTable1 } from '../lib/paper-table1';
import { orderColumns, type TableCell } from '../../lib/stats/table';
import { cellKey } from '../../lib/contracts/comments';

const METRICS = ['accuracy', 'balancedAccuracy', 'precision', 'recall', 'f1', 'auroc'] as const;
const METRIC_LABELS: Record<string, string> = { accuracy: 'Accuracy', balancedAccuracy: 'Balanced accuracy', precision: 'Precision', recall: 'Recall', f1: 'F1', auroc: 'AUROC' };
const TECHNIQUE_LABELS: Record<string, string> = { giaem: 'GIAEM', dbscan: 'DBSCAN', kmeans: 'KMeans', 'global-kmeans': 'Global KMeans' };
export const rowLabel = (model: string, technique: string) =>
  (model === 'cnn' ? 'BrainCNN' : model === 'cvae' ? 'BrainCVAE' : model) + (technique ? ` (${TECHNIQUE_LABELS[technique] ?? technique})` : '');
export const columnLabel = (c: string) => c.replace(/^(synthetic|mixed)-([a-z+]+)(.*)$/, (_, kind: string, models: string, rest: string) => `${kind} (${models.toUpperCase()})${rest}`);

export function ComparisonTable({ cells, testId = 'compare-table', cellAddon }: { cells: TableCell[]; testId?: string; cellAddon?: (key: string) => ReactNode }) {
  const [metric, setMetric] = useState<(typeof METRICS)[number]>('accuracy');
  const rows = [...new Set(cells.map((c) => `${c.model}\u0000${c.technique}`))].sort();
  const columns = orderColumns(['real', ...cells.map((c) => c.trainData)]);
  const find = (row: string, trainData: string, m: string) => cells.find((c) => `${c.model}\u0000${c.technique}` === row && c.trainData === trainData && c.metric === m);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2 text-sm" role="tablist">
        {METRICS.map((m) => (
          <button key={m} role="tab" aria-selected={metric === m} onClick={() => setMetric(m)} className={`rounded px-3 py-1 ${metric === m ? 'bg-sky-700 text-white' : 'bg-zinc-200 dark:bg-zinc-800'}`}>
            {METRIC_LABELS[m]}
          </button>
        ))}
      </div>
      <div className="overflow-x-auto">
        <table className="w-full border-collapse text-sm" data-testid={testId}>
          <thead>
            <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <th className="py-2 pr-4">Model</th>
              {columns.map((c) => <th key={c} className="pr-4">{columnLabel(c)}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const [model, technique] = row.split('\u0000');
              return (
                <tr key={row} className="border-b border-zinc-100 align-top dark:border-zinc-900">
                  <td className="py-2 pr-4 font-medium">{rowLabel(model, technique)}</td>
                  {columns.map((col) => {
                    const cell = find(row, col, metric);
                    const paper = paperTable1(model, technique, col, metric);
                    return (
                      <td key={col} className="group min-w-36 py-1 pr-4" data-testid={`cell-${model}${technique ? `-${technique}` : ''}-${col}`}>
                        {cell ? (
                          <div>
                            <span className="text-base font-semibold">{pct(cell.mean)}</span>
                            {cell.vsReal?.significant && (
                              <span className="ml-0.5 font-semibold text-sky-700 dark:text-sky-400" title={`differs from real: mean difference ${(cell.vsReal.meanDifference * 100).toFixed(1)} points, paired t-test p = ${cell.vsReal.p.toPrecision(2)}, Holm-adjusted ${cell.vsReal.pHolm.toPrecision(2)}`} data-testid="significant">*</span>
                            )}
                            {cell.ciLow !== null && cell.ciHigh !== null && <span className="text-zinc-500"> [{pct(cell.ciLow)}, {pct(cell.ciHigh)}]</span>}
                            <div className="text-xs text-zinc-500">
                              n={cell.n} · seeds {cell.seeds.join(', ')} · {cell.runIds.map((id) => <Link key={id} href={`/runs/${id}`} className="mr-1 text-sky-700 underline dark:text-sky-400">{id.slice(-5)}</Link>)}
                            </div>
                            {cell.chanceLevel && <div className="text-xs font-medium text-amber-700 dark:text-amber-400">⚠ chance level</div>}
                            {cell.notConverged && (
                              <div className="text-xs font-medium text-amber-700 dark:text-amber-400" data-testid="not-converged" title="best validation epoch = last epoch trained in these runs">
                                ↗ {cell.notConverged.length} of {cell.n} may not have converged
                              </div>
                            )}
                          </div>
                        ) : (
                          <span className="text-zinc-400">no runs</span>
                        )}
                        {paper !== null && <div className="text-xs text-zinc-400">paper: {paper.toFixed(2)}%</div>}
                        {cellAddon?.(cellKey(model, technique, col))}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-zinc-500">
        Mean over seeds with a 95% percentile-bootstrap interval where n ≥ 2 (with 2–3 seeds the interval cannot be tight). * = differs from the same row trained on real data
        (paired t-test over shared seeds, Holm-corrected over the table's comparisons, p &lt; 0.05). Chance level = balanced accuracy below 55%. ↗ = runs whose best validation epoch was their last (they may not have converged). “paper” is the single-run value of
        the paper's Table 1 (its synthetic data came from VAEs).
      </p>
    </div>
  );
}
