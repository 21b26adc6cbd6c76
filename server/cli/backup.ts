// `npm run backup -- <file> [--with-files] [--json]`: a consistent copy of DATA_DIR's database
// taken while the server runs, with `<file>.manifest.json` (and `<file>.files/` with --with-files).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadEnv } from '../../lib/env';
import { backupDataDir } from '../backup/backup';
import { BackupError } from '../backup/manifest';

const argsSchema = z.object({
  file: z.string().min(1, 'give the file to write the database copy to'),
  'with-files': z.boolean().default(false),
  json: z.boolean().default(false),
});

async function main() {
  const { values, positionals } = parseArgs({ options: { 'with-files': { type: 'boolean' }, json: { type: 'boolean' } }, allowPositionals: true });
  const parsed = argsSchema.safeParse({ ...values, file: positionals[0] ?? '' });
  if (!parsed.success) throw new BackupError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const args = parsed.data;
  const env = loadEnv();
  const manifest = await backupDataDir(env.DATA_DIR, args.file, { withFiles: args['with-files'] });
  const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
  const out = { file: args.file, migrations: manifest.database.migrations, integrityCheck: manifest.database.integrityCheck, files: manifest.files.length, bytes, filesCopied: manifest.filesDir !== null };
  if (args.json) console.log(JSON.stringify(out));
  else console.log(`backed up ${env.DATA_DIR} to ${args.file}: database ok (${out.migrations} migrations), ${out.files} files (${(bytes / 1e6).toFixed(1)} MB) ${out.filesCopied ? 'copied' : 'listed'}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof BackupError ? `backup failed: ${err.message}` : err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
