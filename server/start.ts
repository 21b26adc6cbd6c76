// `npm start`: builds the web pages if they are missing or stale, then serves the dashboard
// (migrations and the demo dataset are handled by startServer) until SIGINT/SIGTERM.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './index';
import { keepServingOnFaults } from './process-faults';
import { loadEnv } from '../lib/env';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function ensureBuild(): void {
  const buildId = path.join(repoRoot, '.next', 'BUILD_ID');
  // Pages import types and small pure modules from server/, so a change there can change them too.
  const sources = ['app', 'server'].map((d) => newestMtime(path.join(repoRoot, d)));
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs > Math.max(...sources)) return;
  console.log('[start] building the web pages (next build)...');
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[start] next build failed; see the output above');
    process.exit(1);
  }
}

async function main() {
  const env = loadEnv();
  if (env.NODE_ENV === 'production') ensureBuild();
  const server = await startServer({ withNext: true, env });
  keepServingOnFaults();
  console.log(`[start] dashboard ready at ${server.publicUrl}`);
  const shutdown = (signal: string) => {
    console.log(`[start] ${signal}: shutting down`);
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error('[start] failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
