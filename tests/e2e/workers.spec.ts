// The Workers page as an admin meets it: after launching a run, the server's own worker is
// listed (backend wasm, this server, the run it trains); Drain marks it drained, Resume undoes it,
// both live without a reload; a run launched with "Needs a GPU" says so on its page.
import { test, expect } from '@playwright/test';
import { ACCOUNTS } from '../pages/accounts';
import { LaunchForm } from '../pages/run-page';

test.use({ storageState: ACCOUNTS.admin.storageState });

test('an admin sees the worker that trains a run, drains it and resumes it', async ({ page }) => {
  const form = new LaunchForm(page);
  await form.open();
  // Long enough to still be training while the worker is looked at (cancelled at the end).
  const runId = await form.launch('smoke', 41, { epochs: '200', patience: '200' });
  await expect(page.getByTestId('run-require-gpu')).toHaveText('no');

  await page.getByTestId('nav-workers').click();
  await page.waitForURL(/\/workers$/);
  const row = page.getByTestId('worker-row').filter({ hasText: runId });
  await expect(row).toBeVisible();
  await expect(row.getByTestId('worker-backend')).toHaveText('wasm');
  await expect(row).toContainText('this server');
  await expect(row.getByTestId('worker-gpu')).toHaveText('no');
  await expect(row.getByTestId('worker-status')).toHaveText('connected');
  await expect(page.getByTestId('workers-dispatch')).toContainText('Embedded queue');

  await row.getByTestId('worker-drain').click();
  await expect(row.getByTestId('worker-status')).toHaveText('drained');
  await expect(row.getByTestId('worker-resume')).toBeVisible();
  await page.screenshot({ path: '.tmp/screens/workers.png', fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: '.tmp/screens/workers-dark.png', fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await row.getByTestId('worker-resume').click();
  await expect(row.getByTestId('worker-status')).toHaveText('connected');
  await expect(row.getByTestId('worker-drain')).toBeVisible();

  // Remove asks first; keeping it leaves the worker as it was.
  await row.getByTestId('worker-remove').click();
  await expect(page.getByTestId('remove-worker-dialog')).toContainText('goes back to the queue');
  await page.screenshot({ path: '.tmp/screens/workers-remove.png', fullPage: true });
  await page.getByRole('button', { name: 'Keep it' }).click();
  await expect(page.getByTestId('remove-worker-dialog')).toHaveCount(0);
  await expect(row.getByTestId('worker-status')).toHaveText('connected');

  await page.goto(`/runs/${runId}`);
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('cancelled');
});

test('a run launched with "Needs a GPU" says so on its page', async ({ page }) => {
  const form = new LaunchForm(page);
  await form.open();
  await page.getByTestId('require-gpu').check();
  const runId = await form.launch('smoke', 42, { epochs: '200', patience: '200' });
  await expect(page.getByTestId('run-require-gpu')).toHaveText('yes');
  await page.goto(`/runs/${runId}`);
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('cancelled');
});
