// A bundle: a folder (a dataset version, a checkpoint, a run's resume state, a staged synthetic
// dataset) moved between the server and a worker agent as one uncompressed tar named by its
// sha256. The receiver streams it to a temporary file while hashing, refuses it when the hash or
// the size is wrong, unpacks regular files only (no links, no paths outside the folder) into a
// temporary folder, and only then swaps that folder into place: a broken or forged transfer leaves
// nothing behind, and a reader never sees half a folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import * as tar from 'tar';

export interface PackedBundle {
  /** The tar file (temporary: the caller removes it once sent). */
  file: string;
  sha256: string;
  bytes: number;
}

export class BundleError extends Error {}

const tmpName = (target: string, what: string) => `${target}.${what}-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;

/** The regular files of a folder, as paths relative to it (sorted, so a bundle is reproducible). */
function filesOf(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesOf(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Packs `files` of `dir` (default: every regular file under it) into a tar under `tmpDir`. */
export async function packBundle(dir: string, tmpDir: string, files?: string[]): Promise<PackedBundle> {
  fs.mkdirSync(tmpDir, { recursive: true });
  const file = tmpName(path.join(tmpDir, path.basename(dir)), 'bundle') + '.tar';
  try {
    await tar.c({ file, cwd: dir, portable: true, noMtime: true }, files ?? filesOf(dir));
    return { file, sha256: await sha256OfFile(file), bytes: fs.statSync(file).size };
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw err;
  }
}

/** Counts and hashes what passes through, and stops the stream past `maxBytes`. */
function meter(maxBytes: number) {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new BundleError(`the bundle is larger than ${maxBytes} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

/** Receives a bundle into `target` (replacing what is there) once its sha256 is `expected`. */
export async function receiveBundle(body: Readable, expected: string, target: string, maxBytes: number): Promise<{ bytes: number }> {
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new BundleError('the bundle has no valid sha256');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tarFile = tmpName(target, 'incoming') + '.tar';
  const unpacked = tmpName(target, 'incoming');
  try {
    const m = meter(maxBytes);
    await pipeline(body, m.stream, fs.createWriteStream(tarFile));
    const { bytes, sha256 } = m.result();
    if (sha256 !== expected) throw new BundleError(`the bundle's sha256 is ${sha256.slice(0, 12)}…, not ${expected.slice(0, 12)}… as announced (damaged in transit?)`);
    fs.mkdirSync(unpacked);
    let refused: string | null = null;
    await tar.x({
      file: tarFile,
      cwd: unpacked,
      strict: true,
      filter: (p, entry) => {
        const type = 'type' in entry ? entry.type : 'File';
        const ok = (type === 'File' || type === 'OldFile' || type === 'Directory') && !p.split('/').includes('..') && !path.isAbsolute(p);
        if (!ok) refused ??= p;
        return ok;
      },
    });
    if (refused) throw new BundleError(`the bundle holds an entry that is not a plain file inside it: ${refused}`);
    replaceFolder(unpacked, target);
    return { bytes };
  } finally {
    fs.rmSync(tarFile, { force: true });
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
}

/** Moves `from` to `target`, the old `target` (if any) out of the way first and deleted after. */
export function replaceFolder(from: string, target: string): void {
  const old = tmpName(target, 'old');
  const had = fs.existsSync(target);
  if (had) fs.renameSync(target, old);
  try {
    fs.renameSync(from, target);
  } catch (err) {
    if (had) fs.renameSync(old, target);
    throw err;
  }
  if (had) fs.rmSync(old, { recursive: true, force: true });
}
