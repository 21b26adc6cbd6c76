// An agent's HTTP side: datasets fetched by content hash and run folders moved as verified
// bundles (workers/data/bundle.ts) through the server's worker routes.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { packBundle, receiveBundle } from '../data/bundle';
import { BUNDLE_SHA_HEADER, WORKER_ID_HEADER, workerRoutes } from '../../lib/contracts/worker-files';

export class ServerFilesError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

async function failure(res: Response, what: string): Promise<ServerFilesError> {
  let detail = res.statusText;
  try {
    const body = (await res.json()) as { error?: string };
    if (body.error) detail = body.error;
  } catch {
    // not JSON: the status line says enough
  }
  return new ServerFilesError(`${what}: the server answered ${res.status} (${detail})`, res.status);
}

export class ServerFiles {
  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
    private readonly workerId: string,
    /** Where packed bundles wait while they are sent. */
    private readonly tmpDir: string,
    private readonly maxBytes = 1024 ** 4,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, [WORKER_ID_HEADER]: this.workerId, ...extra };
  }

  /** Fetches a bundle into `target`; false when the server has none (404). */
  private async download(route: string, target: string, what: string): Promise<{ bytes: number } | null> {
    const res = await fetch(new URL(route, this.serverUrl), { headers: this.headers() });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok || !res.body) throw await failure(res, what);
    const sha = res.headers.get(BUNDLE_SHA_HEADER) ?? '';
    return receiveBundle(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), sha, target, this.maxBytes);
  }

  fetchDataset(contentHash: string, target: string): Promise<{ bytes: number } | null> {
    return this.download(workerRoutes.dataset(contentHash), target, `fetching dataset ${contentHash.slice(0, 12)}…`);
  }

  fetchBundle(runId: string, name: string, target: string): Promise<{ bytes: number } | null> {
    return this.download(workerRoutes.bundle(runId, name), target, `fetching ${name} of run ${runId}`);
  }

  /** Uploads a folder as the run's bundle `name`; the server keeps it only once verified. */
  async uploadBundle(runId: string, name: string, dir: string): Promise<{ bytes: number }> {
    const packed = await packBundle(dir, this.tmpDir);
    try {
      const res = await fetch(new URL(workerRoutes.bundle(runId, name), this.serverUrl), {
        method: 'PUT',
        headers: this.headers({ [BUNDLE_SHA_HEADER]: packed.sha256, 'content-type': 'application/x-tar', 'content-length': String(packed.bytes) }),
        body: Readable.toWeb(fs.createReadStream(packed.file)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      if (!res.ok) throw await failure(res, `uploading ${name} of run ${runId}`);
      await res.body?.cancel();
      return { bytes: packed.bytes };
    } finally {
      fs.rmSync(packed.file, { force: true });
    }
  }

  async deleteBundle(runId: string, name: string): Promise<void> {
    const res = await fetch(new URL(workerRoutes.bundle(runId, name), this.serverUrl), { method: 'DELETE', headers: this.headers() });
    if (!res.ok) throw await failure(res, `removing ${name} of run ${runId}`);
    await res.body?.cancel();
  }
}

/** Bytes of the regular files under a folder. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(p);
    else if (entry.isFile()) total += fs.statSync(p).size;
  }
  return total;
}
