// Lays a backup into a DATA_DIR: checks the database copy and every file against the manifest
// (sizes, sha256) and the database's integrity before anything is written to the target.
import fs from 'node:fs';
import path from 'node:path';
import { BACKED_UP, BackupError, filesDirPath, readManifest, sha256File, type BackupManifest } from './manifest';
import { DB_FILE, inspectDatabase } from './backup';

/** Throws BackupError naming the first thing in the backup that does not match its manifest. */
export function verifyBackup(file: string): BackupManifest {
  const manifest = readManifest(file);
  if (!fs.existsSync(file)) throw new BackupError(`${file} is missing`);
  if (sha256File(file) !== manifest.database.sha256) throw new BackupError(`${file} does not match its manifest (sha256 differs): the backup is damaged; use another one`);
  const { integrityCheck } = inspectDatabase(file);
  if (integrityCheck !== 'ok') throw new BackupError(`${file} failed its integrity check: ${integrityCheck}`);
  if (manifest.filesDir === null) return manifest;
  const dir = filesDirPath(file);
  for (const entry of manifest.files) {
    const copy = path.join(dir, entry.path);
    if (!fs.existsSync(copy)) throw new BackupError(`${entry.path} is missing from ${dir}`);
    if (sha256File(copy) !== entry.sha256) throw new BackupError(`${entry.path} in ${dir} does not match its manifest (sha256 differs): the backup is damaged`);
  }
  return manifest;
}

export function restoreBackup(file: string, dataDir: string, { force }: { force: boolean }): BackupManifest {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0 && !force) {
    throw new BackupError(`${dataDir} is not empty; restore into an empty folder, or pass --force to replace its database and files`);
  }
  const manifest = verifyBackup(file);
  fs.mkdirSync(dataDir, { recursive: true });
  // A stale WAL beside the restored database would be replayed over it.
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(dataDir, DB_FILE + suffix), { force: true });
  fs.copyFileSync(file, path.join(dataDir, DB_FILE));
  if (manifest.filesDir !== null) {
    // --force: the target's own datasets and artifacts go, so no file outlives the database rows naming it.
    for (const entry of BACKED_UP) fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    for (const entry of manifest.files) {
      const target = path.join(dataDir, entry.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(filesDirPath(file), entry.path), target);
    }
  }
  return manifest;
}
