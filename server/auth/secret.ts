// The secret that signs session cookies: AUTH_SECRET, or one generated on the first start and
// kept in DATA_DIR/auth-secret (mode 0600) so sessions survive a restart.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function loadAuthSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'auth-secret');
  try {
    const stored = fs.readFileSync(file, 'utf8').trim();
    if (stored.length >= 32) return stored;
    throw new Error(`${file} holds fewer than 32 characters; delete it to have a new secret generated (everyone signs in again)`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = crypto.randomBytes(32).toString('hex');
  // 'wx': two processes starting at once on one DATA_DIR keep the first one's secret.
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw err;
  }
}
