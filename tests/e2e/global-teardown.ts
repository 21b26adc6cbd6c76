// Stops the server global-setup started (its whole process group: npx, tsx and the server).
import fs from 'node:fs';
import { SERVER_PID_FILE } from '../pages/accounts';

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(SERVER_PID_FILE)) return;
  const pid = Number(fs.readFileSync(SERVER_PID_FILE, 'utf8'));
  fs.rmSync(SERVER_PID_FILE);
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
  }
  process.kill(-pid, 'SIGKILL');
}
