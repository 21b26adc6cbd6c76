// Standalone migration: `npm run migrate` applies db/migrations to DATA_DIR's database.
import { openDb } from './client';
import { loadEnv } from '../lib/env';

try {
  const env = loadEnv();
  openDb(env.DATA_DIR).$client.close();
  console.log(`migrations applied to ${env.DATA_DIR}`);
  process.exit(0);
} catch (err) {
  console.error('migration failed:', err instanceof Error ? err.message : err);
  process.exit(1);
}
