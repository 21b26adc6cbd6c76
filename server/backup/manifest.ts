// What a backup holds besides the database: every file under DATA_DIR's datasets and artifacts
// (and the session secret) with its size and sha256, so a restore can prove the copy is whole.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The folders and files of DATA_DIR a backup copies next to the database. */
export const BACKED_UP = ['datasets', 'artifacts', 'auth-secret'] as const;

/** A manifest's path must stay inside what a backup copies (no '..', no absolute path). */
const insideBackedUp = (rel: string) =>
  !rel.split('/').includes('..') && !path.isAbsolute(rel) && BACKED_UP.some((b) => rel === b || rel.startsWith(`${b}/`));

export const manifestSchema = z.object({
  version: z.literal(1),
  createdAt: z.string(),
  database: z.object({ file: z.string(), size: z.number(), sha256: z.string(), integrityCheck: z.string(), migrations: z.number() }),
  /** Where the files were copied (relative to the manifest), or null when only listed. */
  filesDir: z.string().nullable(),
  files: z.array(z.object({ path: z.string().refine(insideBackedUp, 'names a file outside datasets/ and artifacts/'), size: z.number(), sha256: z.string() })),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export class BackupError extends Error {}

export const manifestPath = (backupFile: string) => `${backupFile}.manifest.json`;
export const filesDirPath = (backupFile: string) => `${backupFile}.files`;

export function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Every backed-up file under `root`, as paths relative to it with '/' separators, sorted. */
export function listBackedUpFiles(root: string): string[] {
  const out: string[] = [];
  for (const entry of BACKED_UP) {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) continue;
    if (fs.statSync(full).isFile()) {
      out.push(entry);
      continue;
    }
    for (const d of fs.readdirSync(full, { withFileTypes: true, recursive: true })) {
      if (d.isFile()) out.push(path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
    }
  }
  return out.sort();
}

export function describeFiles(root: string, files: string[]): BackupManifest['files'] {
  return files.map((rel) => {
    const full = path.join(root, rel);
    return { path: rel, size: fs.statSync(full).size, sha256: sha256File(full) };
  });
}

export function readManifest(backupFile: string): BackupManifest {
  const file = manifestPath(backupFile);
  if (!fs.existsSync(file)) throw new BackupError(`${file} is missing; a backup is the database file and its manifest side by side`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BackupError(`${file} is not valid JSON (${err instanceof Error ? err.message : err}): the backup is damaged`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new BackupError(`${file} is not a backup manifest: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
