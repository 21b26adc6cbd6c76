// Plain HTTP routes beside tRPC because they carry files: the upload of a folder or .zip
// (multipart, streamed to a staging folder with caps; logged as "imported" by its uploader),
// dataset previews and runs' sample grids.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import busboy from 'busboy';
import sharp from 'sharp';
import { z } from 'zod';
import type { AppServices } from '../api/trpc';
import { getDataset } from '../../db/queries/datasets';
import { runImages } from '../../db/schema';
import { and, eq } from 'drizzle-orm';
import { importDataset } from '../datasets/import';
import { newStagingDir } from '../datasets/import-staging';
import { checkEntryName } from '../../workers/data/import/zip';
import { ImportError } from '../../workers/data/import/limits';
import { importLimitsSchema } from '../../lib/contracts/import';
import type { Actor } from '../../lib/contracts/team';
import { launcherId } from '../auth/actor';
import { importSummary } from '../services/activity-summary';
import { readSlice, sendFile, sendJson } from './send-file';
import { checkFreeSpace, importNeedsBytes } from '../services/limits';
import { Refusal } from '../services/refusal';

const uploadQuery = z.object({
  importId: z.string().regex(/^[\w-]{1,64}$/),
  name: z.string().trim().min(1).max(100).regex(/^[\w .()-]+$/, 'use letters, digits, spaces and . _ - ( )').optional(),
});
/** A size cap was passed: the answer is 413, not 400. */
class UploadTooLarge extends ImportError {}
const clip = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text);

const PREVIEWS = new Set(['preview-tumor.png', 'preview-healthy.png', 'before-after.png', 'closest-tumor.png', 'closest-healthy.png']);

/** Streams the multipart body into `dir`, each part at its (checked) relative path. */
function receiveFiles(req: http.IncomingMessage, dir: string, maxFileBytes: number): Promise<string[]> {
  const limits = importLimitsSchema.parse({ maxFileBytes });
  return new Promise((resolve, reject) => {
    let total = 0;
    const names: string[] = [];
    const writes: Promise<void>[] = [];
    let failed: Error | null = null;
    const fail = (err: Error) => {
      failed ??= err;
      req.unpipe();
      req.resume();
      reject(failed);
    };
    // A folder's files arrive as yes/…, no/…: keep those paths (each is checked below).
    const bb = busboy({ headers: req.headers, preservePath: true, limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes } });
    bb.on('file', (_field, stream, info) => {
      const check = checkEntryName(info.filename ?? '');
      if (!check.ok || !check.path) {
        stream.resume();
        return fail(new ImportError(`the uploaded file name "${clip(info.filename ?? '')}" ${check.ok ? 'is empty' : check.reason}; nothing was imported`));
      }
      const target = path.join(dir, check.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      names.push(check.path);
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxArchiveBytes) fail(new UploadTooLarge(`the upload is larger than the ${limits.maxArchiveBytes}-byte limit; nothing was imported`));
      });
      stream.on('limit', () => fail(new UploadTooLarge(`"${clip(info.filename ?? "")}" is larger than the ${limits.maxFileBytes}-byte limit per file; nothing was imported`)));
      writes.push(new Promise((done, error) => stream.pipe(fs.createWriteStream(target)).on('finish', done).on('error', error)));
    });
    bb.on('filesLimit', () => fail(new ImportError(`more than ${limits.maxFiles} files were uploaded; nothing was imported`)));
    bb.on('error', (err: Error) => fail(new ImportError(`the upload could not be read: ${err.message}`)));
    bb.on('close', () => {
      if (failed) return;
      Promise.all(writes).then(() => (names.length ? resolve(names) : reject(new ImportError('no file was uploaded'))), reject);
    });
    req.pipe(bb);
  });
}

/** `actor`: the editor uploading (from the dispatch, which checked the role). */
export async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, services: AppServices, actor: Actor): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const query = uploadQuery.safeParse(Object.fromEntries(url.searchParams));
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
  if (!query.success) return sendJson(res, 400, { error: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  try {
    checkFreeSpace(services.dataDir, services.limits.minFreeBytes, importNeedsBytes(Number(req.headers['content-length']) || 0), 'this import');
  } catch (err) {
    if (err instanceof Refusal) return sendJson(res, 507, { error: err.message });
    throw err;
  }
  const staging = newStagingDir(services.dataDir, 'upload');
  let answer: [number, unknown];
  try {
    const names = await receiveFiles(req, staging, services.uploadMaxFileBytes);
    const single = names.length === 1 ? names[0] : null;
    const source = single && /\.(zip|nii(\.gz)?)$/i.test(single) ? path.join(staging, single) : staging;
    const defaultName = single ? path.basename(single).replace(/\.(zip|nii(\.gz)?)$/i, '') : names[0].split('/')[0];
    const result = await importDataset(services.db, services.dataDir, {
      source,
      name: query.data.name,
      suggestedName: defaultName,
      sourceLabel: `upload (${single ?? `${names.length} files`})`,
      onProgress: (phase, done, total) => services.hub.io.emit('import:progress', { importId: query.data.importId, phase, done, total }),
    });
    services.hub.io.emit('datasets:updated');
    const { dataset } = result;
    services.activity.record({ userId: launcherId(actor), action: 'imported', targetKind: 'dataset', targetId: dataset.id, summary: importSummary(dataset.name, dataset.count, result.alreadyImported) });
    answer = [200, { dataset: { id: result.dataset.id, name: result.dataset.name }, imported: result.imported, skipped: result.skipped, duplicateGroups: result.duplicateGroups, alreadyImported: result.alreadyImported, report: result.report.filter((r) => r.status === 'skipped' || r.duplicateOf).slice(0, 500) }];
  } catch (err) {
    if (err instanceof ImportError) answer = [err instanceof UploadTooLarge ? 413 : 400, { error: err.message }];
    else {
      const errorId = crypto.randomBytes(4).toString('hex');
      services.log(`upload ${query.data.importId} failed (error ${errorId}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      answer = [500, { error: `the import failed on the server (error ${errorId}); nothing was imported, and an admin can find the details in the server log` }];
    }
  } finally {
    // Gone before the answer, so whoever reads it finds nothing left; thousands of uploaded files
    // are removed off the event loop.
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
  sendJson(res, ...answer);
}

/** GET /api/datasets/<id>/<preview>.png or /api/datasets/<id>/image/<index>.png */
export async function handleDatasetFile(req: http.IncomingMessage, res: http.ServerResponse, services: AppServices): Promise<void> {
  const match = /^\/api\/datasets\/([\w-]+)\/(?:(image)\/(\d+)\.png|([\w-]+\.png))$/.exec(new URL(req.url ?? '/', 'http://local').pathname);
  const dataset = match && getDataset(services.db, match[1]);
  if (!match || !dataset) return sendJson(res, 404, { error: 'no such dataset file' });
  const dir = path.join(services.dataDir, dataset.dir);
  if (match[4]) {
    if (!PREVIEWS.has(match[4])) return sendJson(res, 404, { error: 'no such preview' });
    return sendFile(res, path.join(dir, match[4]), { 'content-type': 'image/png', 'cache-control': 'public, max-age=31536000, immutable' }, 'preview');
  }
  const index = Number(match[3]);
  if (index >= dataset.count) return sendJson(res, 404, { error: `image ${index} is out of range (0..${dataset.count - 1})` });
  const size = dataset.imageSize;
  const pixels = readSlice(path.join(dir, 'images.u8'), size * size, index * size * size);
  if (!pixels) return sendJson(res, 404, { error: "the dataset's image file is missing on the server" });
  const png = await sharp(pixels, { raw: { width: size, height: size, channels: 1 } }).png().toBuffer();
  res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'public, max-age=31536000, immutable' });
  res.end(png);
}

/** GET /api/runs/<id>/images/<imageId>.png: a stored sample grid. */
export function handleRunImage(req: http.IncomingMessage, res: http.ServerResponse, services: AppServices): void {
  const match = /^\/api\/runs\/([\w-]+)\/images\/(\d+)\.png$/.exec(new URL(req.url ?? '/', 'http://local').pathname);
  const row = match && services.db.select().from(runImages).where(and(eq(runImages.id, Number(match[2])), eq(runImages.runId, match[1]))).get();
  if (!row) return sendJson(res, 404, { error: 'no such image' });
  sendFile(res, path.join(services.dataDir, row.file), { 'content-type': 'image/png', 'cache-control': 'public, max-age=31536000, immutable' }, 'image file');
}
