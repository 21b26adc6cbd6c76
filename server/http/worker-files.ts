// The HTTP routes of worker agents, which share no disk with the server. Every request carries a
// worker token (`Authorization: Bearer mrw_…`; the server's own workers present its secret, from
// this machine only):
//   GET    /api/worker/datasets/<content hash>          a dataset version's pixels and labels
//   GET    /api/worker/runs/<run>/bundles/<name>        a run's checkpoint or resume state
//   PUT    /api/worker/runs/<run>/bundles/<name>        stores one (the run must be held by the
//                                                      worker named in x-worker-id, admitted by
//                                                      the same token)
//   DELETE /api/worker/runs/<run>/bundles/<name>        a checkpoint the run no longer keeps
// Bundles are tars named by their sha256 (header x-bundle-sha256), verified by the receiver.
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../db/client';
import { listDatasets } from '../../db/queries/datasets';
import type { RunService } from '../services/runs';
import { packBundle, BundleError, type PackedBundle } from '../../workers/data/bundle';
import { parseBundleName, type ArtifactStore } from '../artifacts/store';
import { sendJson } from './send-file';
import { BUNDLE_SHA_HEADER, DATASET_BUNDLE_FILES, WORKER_ID_HEADER } from '../../lib/contracts/worker-files';

export interface WorkerFilesDeps {
  db: Db;
  dataDir: string;
  store: ArtifactStore;
  runs: RunService;
  /** The token a request presents, as a token id ('server' for the server's own secret), or
   * null when it is unknown, revoked or not allowed from where it came. */
  authenticate: (req: http.IncomingMessage) => string | null;
  /** The token id the connected worker was admitted with; undefined when it is not connected. */
  tokenOfWorker: (workerId: string) => string | undefined;
  maxBundleBytes: number;
  log: (line: string) => void;
}

async function sendBundle(res: http.ServerResponse, bundle: PackedBundle): Promise<void> {
  try {
    res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': bundle.bytes, [BUNDLE_SHA_HEADER]: bundle.sha256, 'cache-control': 'no-store' });
    await pipeline(fs.createReadStream(bundle.file), res);
  } finally {
    fs.rmSync(bundle.file, { force: true });
  }
}

export async function handleWorkerFiles(req: http.IncomingMessage, res: http.ServerResponse, deps: WorkerFilesDeps): Promise<void> {
  const tokenId = deps.authenticate(req);
  if (!tokenId) return sendJson(res, 401, { error: 'this route needs a valid worker token (Authorization: Bearer …); it is unknown or revoked' });
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://local').pathname);

  const dataset = /^\/api\/worker\/datasets\/([0-9a-f]{64})$/.exec(pathname);
  if (dataset) {
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'datasets are read-only here' });
    const row = listDatasets(deps.db).find((d) => d.contentHash === dataset[1]);
    if (!row) return sendJson(res, 404, { error: `no dataset version has content hash ${dataset[1].slice(0, 12)}…` });
    return sendBundle(res, await packBundle(path.join(deps.dataDir, row.dir), path.join(deps.dataDir, 'tmp', 'bundles'), [...DATASET_BUNDLE_FILES]));
  }

  const bundle = /^\/api\/worker\/runs\/([\w-]{1,64})\/bundles\/(.+)$/.exec(pathname);
  const name = bundle ? parseBundleName(bundle[2]) : null;
  if (!bundle || !name) return sendJson(res, 404, { error: 'not found' });
  const runId = bundle[1];
  if (req.method === 'GET') {
    const packed = await deps.store.read(runId, name);
    return packed ? sendBundle(res, packed) : sendJson(res, 404, { error: `run ${runId} has no ${name}` });
  }
  if (req.method !== 'PUT' && req.method !== 'DELETE') return sendJson(res, 405, { error: 'use GET, PUT or DELETE' });

  // Writing: only the worker that holds the run, through the token it was admitted with.
  const workerId = String(req.headers[WORKER_ID_HEADER] ?? '');
  if (!deps.runs.heldBy(runId, workerId) || deps.tokenOfWorker(workerId) !== tokenId) {
    req.resume();
    return sendJson(res, 409, { error: `run ${runId} is not being trained by worker ${workerId || '(none named)'} with this token` });
  }
  if (req.method === 'DELETE') {
    await deps.store.remove(runId, name);
    return sendJson(res, 200, { ok: true });
  }
  const sha256 = String(req.headers[BUNDLE_SHA_HEADER] ?? '');
  try {
    const { bytes } = await deps.store.write(runId, name, req, sha256, deps.maxBundleBytes);
    return sendJson(res, 200, { ok: true, bytes });
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    deps.log(`refused ${name} of run ${runId} from worker ${workerId}: ${err.message}`);
    req.resume();
    return sendJson(res, 422, { error: err.message });
  }
}
