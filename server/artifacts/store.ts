// Where the folders a run produces on a worker agent end up: its generator checkpoints, its
// resume state and a synthesis run's staged dataset. Jobs never see this: an agent trains in a
// local folder and moves bundles (workers/data/bundle.ts) through the server's HTTP routes, which
// call an ArtifactStore. The default keeps them in DATA_DIR exactly where a local worker writes
// them, so everything downstream (synthesis from checkpoints, resuming, registering a dataset)
// reads the same paths either way; an S3-compatible store would implement the same four calls.
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { packBundle, receiveBundle, type PackedBundle } from '../../workers/data/bundle';
import { stagingDir } from '../datasets/synthesize';

/** A run's folder that travels as one bundle: `resume`, `staging` or `checkpoints/epoch-NNNN`. */
export type BundleName = 'resume' | 'staging' | `checkpoints/epoch-${string}`;

export function parseBundleName(name: string): BundleName | null {
  if (name === 'resume' || name === 'staging') return name;
  return /^checkpoints\/epoch-\d{4,6}$/.test(name) ? (name as BundleName) : null;
}

export interface ArtifactStore {
  /** The bundle packed for sending (a temporary tar the caller removes), or null if absent. */
  read(runId: string, name: BundleName): Promise<PackedBundle | null>;
  /** Stores a bundle once its bytes hash to `sha256`; on any failure nothing is kept and what
   * was there before stays. */
  write(runId: string, name: BundleName, body: Readable, sha256: string, maxBytes: number): Promise<{ bytes: number }>;
  remove(runId: string, name: BundleName): Promise<void>;
}

export class DataDirArtifactStore implements ArtifactStore {
  constructor(private readonly dataDir: string) {}

  private folder(runId: string, name: BundleName): string {
    if (name === 'staging') return stagingDir(this.dataDir, runId);
    return path.join(this.dataDir, 'artifacts', runId, ...name.split('/'));
  }

  async read(runId: string, name: BundleName): Promise<PackedBundle | null> {
    const dir = this.folder(runId, name);
    if (!fs.existsSync(dir)) return null;
    return packBundle(dir, path.join(this.dataDir, 'tmp', 'bundles'));
  }

  async write(runId: string, name: BundleName, body: Readable, sha256: string, maxBytes: number): Promise<{ bytes: number }> {
    return receiveBundle(body, sha256, this.folder(runId, name), maxBytes);
  }

  async remove(runId: string, name: BundleName): Promise<void> {
    fs.rmSync(this.folder(runId, name), { recursive: true, force: true });
  }
}
