// Safe extraction of a .zip into a staging folder: every entry name is checked before anything
// is written (no "..", no absolute or drive paths, no links), and the sizes are capped both as
// declared and as actually inflated, so a zip bomb stops at the cap.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import { ImportError, type ImportProgress } from './limits';
import type { ImportLimits } from '../../../lib/contracts/import';

/** Returns the normalised relative path, or a reason it is unsafe. */
export function checkEntryName(name: string): { ok: true; path: string } | { ok: false; reason: string } {
  if (name.includes('\0')) return { ok: false, reason: 'contains a NUL byte' };
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) return { ok: false, reason: 'is an absolute path' };
  const parts = slashed.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { ok: false, reason: 'climbs out of the archive with ".."' };
  return { ok: true, path: parts.join('/') };
}

function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    // Names are decoded and validated by us (checkEntryName), with a clearer message than yauzl's.
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(new ImportError(`${path.basename(zipPath)} is not a readable zip archive (${err?.message ?? 'unknown error'})`));
      else resolve(zip);
    }),
  );
}

function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      const raw = entry.fileName as unknown as Buffer | string;
      entry.fileName = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (err: Error) => reject(new ImportError(`the zip archive is damaged: ${err.message}`)));
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err || !stream ? reject(err) : resolve(stream))));
}

export async function extractZipSafely(zipPath: string, destDir: string, limits: ImportLimits, onProgress?: ImportProgress): Promise<number> {
  const archiveBytes = fs.statSync(zipPath).size;
  if (archiveBytes > limits.maxArchiveBytes) throw new ImportError(`the archive is ${archiveBytes} bytes, more than the ${limits.maxArchiveBytes}-byte limit`);
  const zip = await openZip(zipPath);
  try {
    const entries = await listEntries(zip);
    const files = entries.filter((e) => !e.fileName.endsWith('/'));
    if (files.length > limits.maxFiles) throw new ImportError(`the archive holds ${files.length} files, more than the ${limits.maxFiles}-file limit`);
    let declared = 0;
    for (const entry of entries) {
      const check = checkEntryName(entry.fileName);
      if (!check.ok) throw new ImportError(`the archive entry "${entry.fileName}" ${check.reason}; nothing was imported`);
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (mode === 0o120000) throw new ImportError(`the archive entry "${entry.fileName}" is a symbolic link; nothing was imported`);
      if (entry.uncompressedSize > limits.maxFileBytes) throw new ImportError(`"${entry.fileName}" expands to ${entry.uncompressedSize} bytes, more than the ${limits.maxFileBytes}-byte limit per file`);
      declared += entry.uncompressedSize;
    }
    if (declared > limits.maxExtractedBytes) throw new ImportError(`the archive expands to ${declared} bytes, more than the ${limits.maxExtractedBytes}-byte limit`);

    let written = 0;
    for (const [i, entry] of files.entries()) {
      const rel = (checkEntryName(entry.fileName) as { path: string }).path;
      const target = path.join(destDir, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      let entryBytes = 0;
      // Counts what is really inflated: a lying header cannot push past the caps.
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          entryBytes += chunk.length;
          written += chunk.length;
          if (entryBytes > limits.maxFileBytes || written > limits.maxExtractedBytes) done(new ImportError(`"${entry.fileName}" expands past the size limits; nothing was imported`));
          else done(null, chunk);
        },
      });
      try {
        await pipeline(await openEntry(zip, entry), meter, fs.createWriteStream(target));
      } catch (err) {
        if (err instanceof ImportError) throw err;
        throw new ImportError(`"${entry.fileName}" could not be extracted (${(err as Error).message}); the archive is damaged`);
      }
      onProgress?.('extract', i + 1, files.length);
    }
    return files.length;
  } finally {
    zip.close();
  }
}
