// An agent's local copies of dataset versions, one folder per content hash. A fetched version is
// kept only after its pixels and labels hash to the name it was asked for (the same sha256 the
// server computed when it was imported), so a cached copy is the dataset, byte for byte. The
// cache is held under a size cap by dropping the versions used longest ago (never one a run on
// this agent is using).
import fs from 'node:fs';
import path from 'node:path';
import { datasetFilesHash, readDatasetFiles } from '../data/dataset-store';
import { folderBytes, type ServerFiles } from './server-files';

const VERIFIED = '.verified';

export interface CacheFetch {
  dir: string;
  /** Bytes fetched (0: it was cached) and the time it took. */
  bytes: number;
  ms: number;
}

export class DatasetCache {
  private readonly inFlight = new Map<string, Promise<CacheFetch>>();
  private readonly pinned = new Map<string, number>();

  constructor(
    private readonly root: string,
    private readonly capBytes: number,
    private readonly files: ServerFiles,
    private readonly log: (line: string) => void,
  ) {
    fs.mkdirSync(root, { recursive: true });
  }

  private dirOf(hash: string): string {
    return path.join(this.root, hash);
  }

  /** The local folder of a dataset version, fetched and verified if needed; pinned until
   * `release(hash)`. */
  async acquire(hash: string): Promise<CacheFetch> {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a dataset content hash: ${hash}`);
    this.pinned.set(hash, (this.pinned.get(hash) ?? 0) + 1);
    try {
      let pending = this.inFlight.get(hash);
      if (!pending) {
        pending = this.fetch(hash).finally(() => this.inFlight.delete(hash));
        this.inFlight.set(hash, pending);
      }
      return await pending;
    } catch (err) {
      this.release(hash);
      throw err;
    }
  }

  release(hash: string): void {
    const n = (this.pinned.get(hash) ?? 1) - 1;
    if (n > 0) this.pinned.set(hash, n);
    else this.pinned.delete(hash);
  }

  private async fetch(hash: string): Promise<CacheFetch> {
    const dir = this.dirOf(hash);
    const marker = path.join(dir, VERIFIED);
    if (fs.existsSync(marker)) {
      const now = new Date();
      fs.utimesSync(marker, now, now);
      return { dir, bytes: 0, ms: 0 };
    }
    const started = Date.now();
    const got = await this.files.fetchDataset(hash, dir);
    if (!got) throw new Error(`the server has no dataset with content hash ${hash.slice(0, 12)}… (deleted while queued?)`);
    try {
      const actual = datasetFilesHash(readDatasetFiles(dir));
      if (actual !== hash) throw new Error(`dataset ${hash.slice(0, 12)}… arrived with content hash ${actual.slice(0, 12)}…: refused`);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    fs.writeFileSync(marker, '');
    const ms = Date.now() - started;
    this.log(`fetched dataset ${hash.slice(0, 12)}… (${(got.bytes / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s), verified`);
    this.evict(hash);
    return { dir, bytes: got.bytes, ms };
  }

  /** Drops the least recently used versions until the cache fits its cap. */
  private evict(keep: string): void {
    const entries = fs
      .readdirSync(this.root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^[0-9a-f]{64}$/.test(e.name))
      .map((e) => {
        const dir = this.dirOf(e.name);
        const marker = path.join(dir, VERIFIED);
        return { hash: e.name, dir, bytes: folderBytes(dir), used: fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0 };
      })
      .sort((a, b) => a.used - b.used);
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    for (const e of entries) {
      if (total <= this.capBytes) break;
      if (e.hash === keep || this.pinned.has(e.hash)) continue;
      fs.rmSync(e.dir, { recursive: true, force: true });
      total -= e.bytes;
      this.log(`dropped dataset ${e.hash.slice(0, 12)}… from the cache (${(e.bytes / 1e6).toFixed(1)} MB; cap ${(this.capBytes / 1e6).toFixed(0)} MB)`);
    }
  }
}
