// Exports of a comparison table: CSV (one row per cell, round-trips through any CSV reader), JSON
// (the same records) and a LaTeX table in the paper's layout (rows: model and training data;
// columns: the metrics, as mean and 95% interval in percent).
import { stringify } from 'csv-stringify/sync';
import type { TableCell } from '../../lib/stats/table';

export const EXPORT_COLUMNS = ['model', 'technique', 'trainData', 'metric', 'mean', 'ciLow', 'ciHigh', 'n', 'seeds', 'runIds', 'chanceLevel', 'pHolm', 'significant'] as const;

/** A cell as exported: its significance flattened to the Holm-adjusted p-value and the mark. */
export type ExportRecord = Omit<TableCell, 'vsReal'> & { pHolm: number | null; significant: boolean | null };

export function exportRecords(cells: TableCell[]): ExportRecord[] {
  return cells.map(({ vsReal, ...cell }) => ({ ...cell, pHolm: vsReal?.pHolm ?? null, significant: vsReal?.significant ?? null }));
}

/** Lists are joined with spaces; empty fields stand for "none" (a single seed has no interval). */
export function toCsv(cells: TableCell[]): string {
  const rows = exportRecords(cells).map((r) => EXPORT_COLUMNS.map((k) => {
    const v = r[k];
    return Array.isArray(v) ? v.join(' ') : v === null ? '' : String(v);
  }));
  return stringify([EXPORT_COLUMNS as unknown as string[], ...rows]);
}

export function toJson(cells: TableCell[]): string {
  return `${JSON.stringify(exportRecords(cells), null, 2)}\n`;
}

const LATEX_SPECIAL: Record<string, string> = { '\\': '\\textbackslash{}', '&': '\\&', '%': '\\%', $: '\\$', '#': '\\#', _: '\\_', '{': '\\{', '}': '\\}', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}' };
export const latexEscape = (s: string) => s.replace(/[\\&%$#_{}~^]/g, (c) => LATEX_SPECIAL[c]).replace(/×/g, '$\\times$');

const LATEX_METRICS = [['accuracy', 'Accuracy'], ['precision', 'Precision'], ['recall', 'Recall'], ['f1', 'F1'], ['auroc', 'AUROC']] as const;
const MODEL_NAMES: Record<string, string> = { cnn: 'BrainCNN', cvae: 'BrainCVAE' };
const TECHNIQUES: Record<string, string> = { giaem: 'GIAEM', dbscan: 'DBSCAN', kmeans: 'KMeans', 'global-kmeans': 'Global KMeans' };

/** A complete document (article + booktabs), so the file compiles on its own. */
export function toLatex(cells: TableCell[], caption = 'Classifiers trained on real, synthetic or mixed data and tested on real data: mean and 95\\% bootstrap interval over seeds (in \\%); n = seeds.'): string {
  const find = (model: string, technique: string, trainData: string, metric: string) => cells.find((c) => c.model === model && c.technique === technique && c.trainData === trainData && c.metric === metric);
  const rows = [...new Map(cells.map((c) => [[c.model, c.technique, c.trainData].join('|'), c])).values()].sort((a, b) => (a.model + a.technique + a.trainData).localeCompare(b.model + b.technique + b.trainData));
  const fmt = (c: TableCell | undefined) => {
    if (!c) return '--';
    const mean = (c.mean * 100).toFixed(2);
    const ci = c.ciLow !== null && c.ciHigh !== null ? ` [${(c.ciLow * 100).toFixed(1)}, ${(c.ciHigh * 100).toFixed(1)}]` : '';
    return `${mean}${ci}${c.vsReal?.significant ? '$^{*}$' : ''}`;
  };
  const body = rows.map((r) => {
    const label = `${MODEL_NAMES[r.model] ?? r.model}${r.technique ? ` (${TECHNIQUES[r.technique] ?? r.technique})` : ''}`;
    const n = find(r.model, r.technique, r.trainData, 'accuracy')?.n ?? r.n;
    return `${latexEscape(label)} & ${latexEscape(r.trainData)} & ${n} & ${LATEX_METRICS.map(([m]) => fmt(find(r.model, r.technique, r.trainData, m))).join(' & ')} \\\\`;
  });
  return [
    '\\documentclass{article}',
    '\\usepackage{booktabs}',
    '\\usepackage[margin=1cm,landscape]{geometry}',
    '\\begin{document}',
    '\\begin{table}[h]',
    '\\centering',
    '\\small',
    `\\begin{tabular}{ll${'r'.repeat(1 + LATEX_METRICS.length)}}`,
    '\\toprule',
    `Model & Train data & n & ${LATEX_METRICS.map(([, label]) => label).join(' & ')} \\\\`,
    '\\midrule',
    ...body,
    '\\bottomrule',
    '\\end{tabular}',
    `\\caption{${caption} $^{*}$: differs from the same row trained on real data (paired t-test over seeds, Holm-corrected, $p < 0.05$).}`,
    '\\end{table}',
    '\\end{document}',
    '',
  ].join('\n');
}
