// Files a run produces that the server keeps for it: the PNGs a worker renders (sample grids, heat
// maps), written under DATA_DIR/artifacts/<run> and recorded so the run page can list them.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../db/client';
import { insertRunImage } from '../../db/queries/metrics';
import type { RunImageView } from '../../lib/contracts/events';
import { asDiskFull } from './disk-full';

export class ArtifactError extends Error {}

export class RunArtifacts {
  constructor(private readonly db: Db, private readonly dataDir: string) {}

  /** Stores one image of a run; throws ArtifactError when the bytes are not a PNG, DiskFullError
   * when the disk is full. */
  saveRunImage(runId: string, step: number, kind: string, png: Buffer): RunImageView {
    if (png.subarray(1, 4).toString('latin1') !== 'PNG') throw new ArtifactError('not a PNG');
    const dir = path.join('artifacts', runId);
    const file = path.join(dir, `${String(step).padStart(7, '0')}-${kind}.png`);
    try {
      fs.mkdirSync(path.join(this.dataDir, dir), { recursive: true });
      fs.writeFileSync(path.join(this.dataDir, file), png);
      return insertRunImage(this.db, runId, step, kind, file);
    } catch (err) {
      throw asDiskFull(err, `the ${kind} image of step ${step}`);
    }
  }
}
