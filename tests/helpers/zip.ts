// Builds zip archives for import tests, including malicious ones (path traversal, lying sizes).
import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';

export async function zipFolder(dir: string, out: string, extra: Record<string, Buffer> = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else zip.addFile(path.join(dir, child), child);
    }
  };
  walk('');
  for (const [name, data] of Object.entries(extra)) zip.addBuffer(data, name);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(out)).on('close', resolve).on('error', reject));
}

/** A zip whose entry `xx/evil.jpg` is renamed to `../evil.jpg` in both headers (same length). */
export async function traversalZip(out: string, image: Buffer): Promise<void> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(image, 'yes/ok.jpg');
  zip.addBuffer(image, 'xx/evil.jpg');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const from = Buffer.from('xx/evil.jpg');
  const to = Buffer.from('../evil.jpg');
  let at = bytes.indexOf(from);
  while (at >= 0) {
    to.copy(bytes, at);
    at = bytes.indexOf(from, at + 1);
  }
  fs.writeFileSync(out, bytes);
}
