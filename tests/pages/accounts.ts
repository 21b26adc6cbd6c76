// The people the e2e suite signs in as: made by tests/e2e/global-setup.ts through the first-admin
// link and the People page, each with their browser storage state (session cookie) under .tmp/.
import type { Role } from '../../lib/contracts/team';

export const E2E_PASSWORD = 'e2e password 0123';

export const ACCOUNTS: Record<Role, { name: string; email: string; storageState: string }> = {
  admin: { name: 'Ada Admin', email: 'ada@lab.test', storageState: '.tmp/auth/admin.json' },
  editor: { name: 'Eddie Editor', email: 'eddie@lab.test', storageState: '.tmp/auth/editor.json' },
  viewer: { name: 'Vera Viewer', email: 'vera@lab.test', storageState: '.tmp/auth/viewer.json' },
};

/** Where global-setup keeps the server's process id for global-teardown. */
export const SERVER_PID_FILE = '.tmp/e2e-server.pid';
