'use client';
// The comparison table (the paper's Table 1): rows = model and technique, columns = the data
// the classifier was trained on; each cell is mean ± 95% CI over seeds, filled in live.
import { useEffect, useState } from 'react';
import Link from 'next/link';
import { trpc, errorMessage } from '../lib/trpc';
import { getSocket } from '../lib/socket';
import { pct } from '../lib/format';
import { paperTable1 } from '../lib/paper-table1';
import type { TableCell } from '../../server/results/table';

const METRICS = ['accuracy', 'balancedAccuracy', 'precision', 'recall', 'f1', 'auroc'] as const;
/** Known columns in the paper's order; any other training-data label found is appended. */
const KNOWN_COLUMNS = ['real', 'synthetic-vae', 'synthetic-gan', 'synthetic-gan+vae', 'mixed-vae', 'mixed-gan', 'mixed-gan+vae'];
const TECHNIQUE_LABELS: Record<string, string> = { giaem: 'GIAEM', dbscan: 'DBSCAN', kmeans: 'KMeans', 'global-kmeans': 'Global KMeans' };
const modelLabel = (model: string, technique: string) =>
  (model === 'cnn' ? 'BrainCNN' : model === 'cvae' ? 'BrainCVAE' : model) + (technique ? ` (${TECHNIQUE_LABELS[technique] ?? technique})` : '');
const columnLabel = (c: string) => c.replace(/^(synthetic|mixed)-(.+)$/, (_, kind: string, models: string) => `${kind} (${models.toUpperCase()})`);

export default function ComparePage() {
  const [cells, setCells] = useState<TableCell[] | null>(null);
  const [metric, setMetric] = useState<(typeof METRICS)[number]>('accuracy');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const load = () => trpc.results.table.query().then(setCells, (err) => setError(errorMessage(err)));
    const socket = getSocket();
    socket.on('results:updated', load);
    load();
    return () => void socket.off('results:updated', load);
  }, []);

  const rows = [...new Set((cells ?? []).map((c) => `${c.model}\u0000${c.technique}`))].sort();
  const seen = new Set((cells ?? []).map((c) => c.trainData));
  const COLUMNS = [...KNOWN_COLUMNS.filter((c) => c === 'real' || seen.has(c)), ...[...seen].filter((c) => !KNOWN_COLUMNS.includes(c)).sort()];
  const find = (row: string, trainData: string, m: string) => cells?.find((c) => `${c.model}\u0000${c.technique}` === row && c.trainData === trainData && c.metric === m);

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Comparison: trained on real, synthetic or mixed data, tested on real data</h1>
      <div className="flex gap-2 text-sm" role="tablist">
        {METRICS.map((m) => (
          <button key={m} role="tab" aria-selected={metric === m} onClick={() => setMetric(m)} className={`rounded px-3 py-1 ${metric === m ? 'bg-sky-700 text-white' : 'bg-zinc-200 dark:bg-zinc-800'}`}>
            {m === 'f1' ? 'F1' : m === 'auroc' ? 'AUROC' : m === 'balancedAccuracy' ? 'Balanced accuracy' : m[0].toUpperCase() + m.slice(1)}
          </button>
        ))}
      </div>
      {error && <p className="rounded bg-rose-100 px-3 py-2 text-sm text-rose-900">{error}</p>}
      {cells && cells.length === 0 && <p className="text-sm text-zinc-500">No finished classifier runs yet: cells fill in here as runs finish.</p>}
      {cells && cells.length > 0 && (
        <table className="w-full border-collapse text-sm" data-testid="compare-table">
          <thead>
            <tr className="border-b border-zinc-200 text-left text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800">
              <th className="py-2 pr-4">Model</th>
              {COLUMNS.map((c) => <th key={c} className="pr-4">{columnLabel(c)}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const [model, technique] = row.split('\u0000');
              return (
                <tr key={row} className="border-b border-zinc-100 align-top dark:border-zinc-900">
                  <td className="py-2 pr-4 font-medium">{modelLabel(model, technique)}</td>
                  {COLUMNS.map((col) => {
                    const cell = find(row, col, metric);
                    const chance = find(row, col, 'accuracy')?.chanceLevel;
                    const paper = paperTable1(model, technique, col, metric);
                    return (
                      <td key={col} className="pr-4" data-testid={`cell-${model}${technique ? `-${technique}` : ''}-${col}`}>
                        {cell ? (
                          <div>
                            <span className="text-base font-semibold">{pct(cell.mean)}</span>
                            {cell.ciLow !== null && cell.ciHigh !== null && <span className="text-zinc-500"> [{pct(cell.ciLow)}, {pct(cell.ciHigh)}]</span>}
                            <div className="text-xs text-zinc-500">
                              n={cell.n} · seeds {cell.seeds.join(', ')} · {cell.runIds.map((id) => <Link key={id} href={`/runs/${id}`} className="mr-1 text-sky-700 underline dark:text-sky-400">{id.slice(-5)}</Link>)}
                            </div>
                            {chance && <div className="text-xs font-medium text-amber-700 dark:text-amber-400">⚠ chance level</div>}
                          </div>
                        ) : (
                          <span className="text-zinc-400">no runs</span>
                        )}
                        {paper !== null && <div className="text-xs text-zinc-400">paper: {paper.toFixed(2)}%</div>}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="text-xs text-zinc-500">Mean over seeds with a 95% Student-t confidence interval where n ≥ 2. “paper” is the single-run value reported in the paper's Table 1.</p>
    </div>
  );
}
