// A Table 1 study from the studies page: every step runs in dependency order, the table fills in
// with a cell per model, technique and training data, and the exports download.
import { test, expect } from '@playwright/test';
import { ACCOUNTS } from '../pages/accounts';

test.use({ storageState: ACCOUNTS.editor.storageState });

test('a smoke Table 1 study runs its DAG and fills its table', async ({ page }) => {
  await page.goto('/studies');
  await page.locator('select[name="preset"]').selectOption('smoke');
  await page.locator('input[name="seeds"]').fill('1');
  await page.locator('input[name="sweep"]').uncheck();
  await page.getByTestId('study-submit').click();
  await page.waitForURL(/\/studies\/s-/);
  await expect(page.getByTestId('step-synth-vae')).toBeVisible();
  await expect(page.getByTestId('study-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 170_000 });
  await expect(page.locator('[data-testid^="step-"][data-state="succeeded"]')).toHaveCount(4 + 2 + 10);
  const table = page.getByTestId('study-table');
  for (const cell of ['cell-cnn-real', 'cell-cnn-synthetic-gan', 'cell-cnn-mixed-vae', 'cell-cvae-global-kmeans-synthetic-vae', 'cell-cvae-giaem-mixed-gan']) {
    await expect(table.getByTestId(cell)).toContainText('n=1');
  }
  await page.screenshot({ path: '.tmp/study.png', fullPage: true });
  const id = page.url().split('/').at(-1);
  const csv = await page.request.get(`/api/studies/${id}/table.csv`);
  expect(csv.headers()['content-type']).toContain('text/csv');
  expect((await csv.text()).split('\n')[0]).toBe('model,technique,trainData,metric,mean,ciLow,ciHigh,n,seeds,runIds,chanceLevel,pHolm,significant');
});
