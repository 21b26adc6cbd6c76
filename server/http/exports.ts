// Downloads of a comparison table: GET /api/results/table.(csv|json|tex) for every result, and
// /api/studies/<id>/table.(csv|json|tex) for one study's runs.
import type http from 'node:http';
import type { AppServices } from '../api/trpc';
import { currentResults } from '../results/current';
import type { TableCell } from '../../lib/stats/table';
import { resultsTable } from '../results/table';
import { toCsv, toJson, toLatex } from '../results/export';

const FORMATS = {
  csv: { type: 'text/csv; charset=utf-8', render: toCsv },
  json: { type: 'application/json; charset=utf-8', render: toJson },
  tex: { type: 'application/x-tex; charset=utf-8', render: (cells: TableCell[]) => toLatex(cells) },
} as const;

export function handleTableExport(req: http.IncomingMessage, res: http.ServerResponse, services: AppServices): void {
  const url = new URL(req.url ?? '/', 'http://local');
  const match = /^\/api\/(?:results|studies\/([\w-]{1,64}))\/table\.(csv|json|tex)$/.exec(url.pathname);
  const send = (status: number, type: string, body: string, filename?: string) => {
    res.writeHead(status, { 'content-type': type, ...(filename ? { 'content-disposition': `attachment; filename="${filename}"` } : {}) });
    res.end(body);
  };
  if (!match || req.method !== 'GET') return send(404, 'application/json', JSON.stringify({ error: 'use GET /api/results/table.(csv|json|tex) or /api/studies/<id>/table.(csv|json|tex)' }));
  const [, studyId, format] = match as unknown as [string, string | undefined, keyof typeof FORMATS];
  let cells: TableCell[];
  if (studyId) {
    const study = services.studies.view(studyId);
    if (!study) return send(404, 'application/json', JSON.stringify({ error: `no study with id ${studyId}` }));
    cells = study.table;
  } else cells = resultsTable(services.db, currentResults(services.db));
  const { type, render } = FORMATS[format];
  send(200, type, render(cells), `${studyId ?? 'results'}-table.${format}`);
}
