// Staging folders of uploads and imports under DATA_DIR/tmp. Each is named after the process that
// owns it and removed by that process when it is done; the folders of a process that died
// (killed, or the machine stopped) are removed by the next import on the same DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { processAlive } from '../process-alive';

const STAGING_NAME = /^(upload|import)-(\d+)-[0-9a-f]+$/;

export function newStagingDir(dataDir: string, kind: 'upload' | 'import'): string {
  return path.join(dataDir, 'tmp', `${kind}-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);
}

export function removeAbandonedStaging(dataDir: string): void {
  const tmp = path.join(dataDir, 'tmp');
  if (!fs.existsSync(tmp)) return;
  for (const name of fs.readdirSync(tmp)) {
    const owner = STAGING_NAME.exec(name)?.[2];
    if (owner && !processAlive(Number(owner))) fs.rmSync(path.join(tmp, name), { recursive: true, force: true });
  }
}
