// The dataset-import process: the server forks one per import (server/datasets/import-process.ts)
// so that decoding and preprocessing thousands of images never stall the dashboard's event loop.
// It takes one job over IPC, streams progress, stages the dataset version, replies and exits.
import { importRequestSchema, type ImportReply } from '../lib/contracts/import';
import { stageImport } from './data/import/stage';
import { ImportError } from './data/import/limits';

function reply(message: ImportReply): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve())));
}

async function runJob(raw: unknown): Promise<void> {
  const request = importRequestSchema.safeParse(raw);
  if (!request.success) return reply({ type: 'failed', kind: 'internal', message: `the import process received a malformed job (${request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})` });
  try {
    const result = await stageImport(request.data.job, (phase, done, total) => void reply({ type: 'progress', phase, done, total }));
    await reply({ type: 'staged', result });
  } catch (err) {
    if (err instanceof ImportError) return reply({ type: 'failed', kind: 'input', message: err.message });
    // The stack goes to stderr, which the server forwards to its log.
    console.error(err);
    await reply({ type: 'failed', kind: 'internal', message: err instanceof Error ? err.message : String(err) });
  }
}

if (!process.send) {
  console.error('workers/import-main.ts is started by the server with an IPC channel; to import from a shell use `npm run import`');
  process.exit(2);
}
// Without its server this process has no one to report to: stop rather than finish for nobody.
process.on('disconnect', () => process.exit(1));
process.once('message', (raw) => void runJob(raw).finally(() => process.exit(0)));
