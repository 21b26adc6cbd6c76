// `npm run import -- <folder | archive.zip | volume.nii.gz> [--mask seg.nii.gz] [--name NAME]
// [--size 128] [--seed 1] [--json]`: imports a dataset version with a per-file report.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { openDb } from '../../db/client';
import { loadEnv } from '../../lib/env';
import { importDataset } from '../datasets/import';
import { ImportError } from '../../workers/data/import/limits';
import { ImportProcessError } from '../datasets/import-process';
import { progressBar } from './progress';
import { ActivityLog } from '../services/activity';
import { importSummary } from '../services/activity-summary';
import { checkFreeSpace, importNeedsBytes, MB, sizeOnDisk } from '../services/limits';
import { Refusal } from '../services/refusal';

const argsSchema = z.object({
  source: z.string().min(1, 'give the folder, .zip or .nii(.gz) to import'),
  name: z.string().min(1).max(100).regex(/^[\w .()-]+$/, 'use letters, digits, spaces and . _ - ( )').optional(),
  mask: z.string().min(1).optional(),
  size: z.coerce.number().int().refine((n) => [32, 64, 128, 256].includes(n), 'size must be 32, 64, 128 or 256').default(128),
  seed: z.coerce.number().int().min(0).default(1),
  json: z.boolean().default(false),
});

async function main() {
  const { values, positionals } = parseArgs({
    options: { name: { type: 'string' }, mask: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const parsed = argsSchema.safeParse({ ...values, source: positionals[0] ?? '' });
  if (!parsed.success) throw new ImportError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const args = parsed.data;
  const env = loadEnv();
  if (fs.existsSync(args.source)) checkFreeSpace(env.DATA_DIR, env.MIN_FREE_MB * MB, importNeedsBytes(sizeOnDisk(args.source)), 'this import');
  const db = openDb(env.DATA_DIR);
  const started = Date.now();
  try {
    const result = await importDataset(db, env.DATA_DIR, {
      source: args.source,
      mask: args.mask,
      name: args.name,
      size: args.size,
      seed: args.seed,
      onProgress: (phase, done, total) => progressBar(phase, done, total),
    });
    for (const entry of result.report.filter((r) => r.status === 'skipped')) console.error(`skipped  ${entry.path}: ${entry.reason}`);
    for (const entry of result.report.filter((r) => r.duplicateOf)) console.error(`grouped  ${entry.path} ~ ${entry.duplicateOf}`);
    const { dataset } = result;
    // No person: the activity log shows it as the command line's.
    new ActivityLog(db).record({ userId: null, action: 'imported', targetKind: 'dataset', targetId: dataset.id, summary: importSummary(dataset.name, dataset.count, result.alreadyImported) });
    const out = {
      dataset: dataset.id,
      name: dataset.name,
      imported: result.imported,
      skipped: result.skipped,
      duplicateGroups: result.duplicateGroups,
      classes: dataset.classCounts,
      splits: { train: dataset.splits.train.length, val: dataset.splits.val.length, test: dataset.splits.test.length },
      alreadyImported: result.alreadyImported,
      seconds: (Date.now() - started) / 1000,
    };
    if (args.json) console.log(JSON.stringify(out));
    else console.log(`${result.alreadyImported ? 'already imported as' : 'imported'} ${dataset.name} (${dataset.id}): ${out.imported} images (${out.classes.tumor} tumour, ${out.classes.healthy} healthy, ${out.classes.unlabelled ?? 0} unlabelled), ${out.skipped} skipped, ${out.duplicateGroups} near-duplicate groups, ${out.seconds.toFixed(1)} s`);
  } finally {
    db.$client.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    // Both carry a message meant for the user; the import process logged its own stack, if any.
    const expected = err instanceof ImportError || err instanceof ImportProcessError || err instanceof Refusal;
    console.error(expected ? `import failed: ${err.message}` : err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
