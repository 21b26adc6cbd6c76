// Starts the real server (built pages, tRPC, socket.io, workers) with its console piped here, opens
// the first-admin link it prints in Chromium and creates the admin through the invitation form,
// invites an editor and a viewer from the People page, accepts both in fresh contexts, and saves
// each person's storage state for the specs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { chromium, expect, type Browser, type FullConfig } from '@playwright/test';
import { ACCOUNTS, E2E_PASSWORD, SERVER_PID_FILE } from '../pages/accounts';
import type { Role } from '../../lib/contracts/team';

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3199);
const BASE = `http://127.0.0.1:${E2E_PORT}`;

function startServer(): Promise<string> {
  fs.rmSync('.tmp/e2e-data', { recursive: true, force: true });
  fs.mkdirSync('.tmp/auth', { recursive: true });
  const child = spawn('npx', ['tsx', 'server/start.ts'], {
    env: { ...process.env, PORT: String(E2E_PORT), HOST: '127.0.0.1', DATA_DIR: '.tmp/e2e-data', DEMO_PER_CLASS: '60', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group, so teardown stops npx, tsx and the server together.
    detached: true,
  });
  fs.writeFileSync(SERVER_PID_FILE, String(child.pid));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server printed no first-admin link within 15 minutes:\n${out}`)), 15 * 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (process.env.E2E_SERVER_LOG) process.stdout.write(chunk);
      const link = /Create the first admin account: (\S+)/.exec(out)?.[1];
      if (link) (clearTimeout(timer), resolve(link));
    });
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before printing the first-admin link:\n${out}`)));
  });
}

async function waitForHealth(): Promise<void> {
  for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
    if (await fetch(`${BASE}/api/health`).then((r) => r.ok, () => false)) return;
  }
  throw new Error(`${BASE}/api/health did not answer`);
}

/** Fills the invitation form at `link` in a fresh context and saves the new person's session. */
async function join(browser: Browser, link: string, role: Role): Promise<void> {
  const account = ACCOUNTS[role];
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByTestId('invite-role')).toHaveText(role);
  await page.locator('input[name="name"]').fill(account.name);
  await page.locator('input[name="email"]').fill(account.email);
  await page.locator('input[name="password"]').fill(E2E_PASSWORD);
  await page.getByTestId('invite-submit').click();
  await page.waitForURL(`${BASE}/`);
  await expect(page.getByTestId('me-role')).toHaveText(role);
  await context.storageState({ path: account.storageState });
  await context.close();
}

export default async function globalSetup(config: FullConfig): Promise<void> {
  const firstAdminLink = await startServer();
  await waitForHealth();
  const browser = await chromium.launch(config.projects[0].use.launchOptions);
  try {
    await join(browser, firstAdminLink, 'admin');
    const admin = await browser.newContext({ baseURL: BASE, storageState: ACCOUNTS.admin.storageState });
    const page = await admin.newPage();
    for (const role of ['editor', 'viewer'] as const) {
      await page.goto('/people');
      await page.getByTestId('invite-create-role').selectOption(role);
      await page.getByTestId('invite-create-submit').click();
      const link = await page.getByTestId('invite-link').inputValue();
      await join(browser, link, role);
    }
    await admin.close();
  } finally {
    await browser.close();
  }
}
