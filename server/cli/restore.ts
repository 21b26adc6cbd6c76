// `npm run restore -- <file> --data-dir <dir> [--force] [--json]`: checks a backup against its
// manifest and lays its database and files into an empty DATA_DIR (a non-empty one with --force).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { restoreBackup } from '../backup/restore';
import { BackupError } from '../backup/manifest';

const argsSchema = z.object({
  file: z.string().min(1, 'give the backup file (the one beside its .manifest.json)'),
  'data-dir': z.string().min(1, 'give --data-dir, the folder to restore into'),
  force: z.boolean().default(false),
  json: z.boolean().default(false),
});

async function main() {
  const { values, positionals } = parseArgs({
    options: { 'data-dir': { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const parsed = argsSchema.safeParse({ ...values, 'data-dir': values['data-dir'] ?? '', file: positionals[0] ?? '' });
  if (!parsed.success) throw new BackupError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const args = parsed.data;
  const dataDir = path.resolve(args['data-dir']);
  const manifest = restoreBackup(args.file, dataDir, { force: args.force });
  const out = { dataDir, createdAt: manifest.createdAt, migrations: manifest.database.migrations, files: manifest.filesDir === null ? 0 : manifest.files.length };
  if (args.json) console.log(JSON.stringify(out));
  else console.log(`restored the backup of ${manifest.createdAt} into ${dataDir}: database ok (${out.migrations} migrations), ${out.files} files${manifest.filesDir === null ? ' (the backup listed its files but did not copy them: copy datasets/ and artifacts/ yourself)' : ''}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof BackupError ? `restore failed: ${err.message}` : err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
