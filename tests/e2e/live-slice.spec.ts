// Two teammates: one launches a smoke run from the form; the other, already on the dashboard,
// sees it appear, opens it, watches its chart receive points and the final metrics, never reloading.
// Alice is an editor; Bob only a viewer, who still sees everything live.
import { test, expect } from '@playwright/test';
import { LaunchForm, RunPage } from '../pages/run-page';
import { ACCOUNTS } from '../pages/accounts';

test.use({ storageState: ACCOUNTS.editor.storageState });

test('a run launched in one browser streams live into another', async ({ browser }) => {
  const alice = await (await browser.newContext({ storageState: ACCOUNTS.editor.storageState })).newPage();
  const bob = await (await browser.newContext({ storageState: ACCOUNTS.viewer.storageState })).newPage();

  await bob.goto('/');
  await expect(bob.getByRole('heading', { name: 'Runs' })).toBeVisible();
  await bob.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  const form = new LaunchForm(alice);
  await form.open();
  const runId = await form.launch('smoke', 11, { epochs: '4' });

  // Bob sees the run appear and start, without reloading.
  const row = bob.getByTestId(`run-row-${runId}`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId('row-launched-by')).toHaveText(ACCOUNTS.editor.name);
  await expect(row.getByTestId('run-status')).toHaveAttribute('data-status', /running|succeeded/);
  await row.getByRole('link', { name: runId }).click();
  await bob.waitForURL(`**/runs/${runId}`);

  const bobRun = new RunPage(bob);
  await expect.poll(() => bobRun.chartPoints(), { timeout: 60_000 }).toBeGreaterThan(0);
  await bobRun.expectFinished();
  await expect(bob.getByTestId('run-backend')).toHaveText('wasm');
  expect(await bob.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // Alice's own page finished too, with the same numbers as Bob's.
  const aliceRun = new RunPage(alice);
  await aliceRun.expectFinished();
  await expect(alice.getByTestId('metric-f1')).toHaveText((await bob.getByTestId('metric-f1').textContent())!);
  expect(await aliceRun.chartPoints()).toBe(await bobRun.chartPoints());
  await bob.screenshot({ path: '.tmp/screens/run-page.png', fullPage: true });

  // The comparison table now has the run's cell.
  await bob.getByRole('link', { name: 'Compare' }).click();
  await expect(bob.getByTestId('cell-cnn-real')).toContainText(runId.slice(-5));
  expect(await bob.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await bob.screenshot({ path: '.tmp/screens/compare.png', fullPage: true });
  await alice.context().close();
  await bob.context().close();
});

test('a bad value in the launch form is refused with the field named', async ({ page }) => {
  const form = new LaunchForm(page);
  await form.open();
  await page.getByTestId('preset-smoke').check();
  await page.locator('[name="epochs"]').fill('0');
  await page.getByTestId('launch-submit').click();
  await expect(page.getByTestId('launch-error')).toContainText('epochs');
  await expect(page).toHaveURL(/\/runs\/new$/);
});
