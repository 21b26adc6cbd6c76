// An online backup of a DATA_DIR while the server runs: SQLite's backup API on a read-only
// connection (the server's WAL writes go on; the copy is one consistent snapshot), then the
// manifest of the files, and optionally a plain copy of them into `<file>.files/`.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { BackupError, describeFiles, filesDirPath, listBackedUpFiles, manifestPath, sha256File, type BackupManifest } from './manifest';

export const DB_FILE = 'dashboard.sqlite';

/** `PRAGMA integrity_check` ('ok' when whole) and the applied migrations of a database file. */
export function inspectDatabase(file: string): { integrityCheck: string; migrations: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    const integrityCheck = rows.map((r) => r.integrity_check).join('; ');
    const migrations = (db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
    return { integrityCheck, migrations };
  } catch (err) {
    throw new BackupError(`${file} is not a readable dashboard database: ${err instanceof Error ? err.message : err}`);
  } finally {
    db.close();
  }
}

export async function backupDataDir(dataDir: string, file: string, { withFiles }: { withFiles: boolean }): Promise<BackupManifest> {
  const source = path.join(dataDir, DB_FILE);
  if (!fs.existsSync(source)) throw new BackupError(`no database at ${source}; is DATA_DIR right?`);
  if (fs.existsSync(file)) throw new BackupError(`${file} already exists; choose a new file name`);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const live = new Database(source, { readonly: true, fileMustExist: true });
  try {
    // A writer holding the lock makes a step wait, not fail.
    live.pragma('busy_timeout = 5000');
    await live.backup(file);
  } finally {
    live.close();
  }
  // The copy keeps the WAL flag of its source; a rollback journal makes it one self-contained
  // file (no -wal or -shm appears beside it when it is read). The server sets WAL again on open.
  const copy = new Database(file);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  const db = { file: path.basename(file), size: fs.statSync(file).size, sha256: sha256File(file), ...inspectDatabase(file) };
  if (db.integrityCheck !== 'ok') throw new BackupError(`the copy failed its integrity check: ${db.integrityCheck}`);
  // Files are listed after the database copy: a run finishing meanwhile adds files the copy
  // does not name, which a restore leaves out (never the other way round).
  const listed = listBackedUpFiles(dataDir);
  let filesDir: string | null = null;
  if (withFiles) {
    filesDir = path.basename(filesDirPath(file));
    for (const rel of listed) {
      const target = path.join(filesDirPath(file), rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(dataDir, rel), target);
    }
  }
  // Hash the copies when there are copies, so the manifest describes exactly what was kept.
  const files = describeFiles(withFiles ? filesDirPath(file) : dataDir, listed);
  const manifest: BackupManifest = { version: 1, createdAt: new Date().toISOString(), database: db, filesDir, files };
  fs.writeFileSync(manifestPath(file), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
