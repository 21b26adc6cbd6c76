// The BrainCVAE anomaly detector from the form: it trains on healthy images, then each decision
// technique is tuned on validation and tested once; the run page shows the results per technique,
// ROC and PR curves and the reconstruction-error heat maps. A BrainCNN whose best validation
// epoch was its last says it may not have converged, on its page and in its comparison cell.
import { test, expect } from '@playwright/test';
import { ACCOUNTS } from '../pages/accounts';
import { LaunchForm, RunPage } from '../pages/run-page';

test.use({ storageState: ACCOUNTS.editor.storageState });

test('a BrainCVAE run shows every technique with curves and heat maps', async ({ page }) => {
  await page.goto('/runs/new');
  await page.locator('select[name="model"]').selectOption('cvae');
  await page.getByTestId('preset-smoke').check();
  await expect(page.locator('input[name="technique-global-kmeans"]')).toBeChecked();
  await page.getByTestId('launch-submit').click();
  await page.waitForURL(/\/runs\/r-/);
  await expect(page.getByText('BrainCVAE').first()).toBeVisible();
  const results = page.getByTestId('anomaly-results');
  await expect(results).toBeVisible({ timeout: 120_000 });
  for (const t of ['giaem', 'dbscan', 'kmeans', 'global-kmeans']) await expect(page.getByTestId(`technique-${t}`)).toBeVisible();
  await expect(page.getByTestId('roc-chart')).toHaveAttribute('data-curves', '4');
  await expect.poll(() => page.getByTestId('heatmaps').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(3 * 32 + 4);
  await expect(page.getByTestId('val-error-chart')).toHaveAttribute('data-points', /^[1-9]/);
  await page.screenshot({ path: '.tmp/cvae-run.png', fullPage: true });

  await page.goto('/compare');
  await expect(page.getByTestId('cell-cvae-global-kmeans-real')).toContainText('n=1');
});

test('a BrainCNN whose best epoch was its last is flagged as possibly not converged', async ({ page }) => {
  const form = new LaunchForm(page);
  await form.open();
  await expect(page.locator('[name="patience"]')).toBeVisible();
  // One epoch: the best epoch on validation is necessarily the last one trained.
  const runId = await form.launch('smoke', 31, { epochs: '1' });
  await new RunPage(page).expectFinished();
  await expect(page.getByTestId('may-not-have-converged')).toContainText('May not have converged');
  await page.screenshot({ path: '.tmp/screens/not-converged-run.png', fullPage: true });

  await page.goto('/compare');
  const cell = page.getByTestId('cell-cnn-real');
  await expect(cell).toContainText(runId.slice(-5));
  await expect(cell.getByTestId('not-converged')).toContainText('may not have converged');
  await page.screenshot({ path: '.tmp/screens/not-converged-compare.png', fullPage: true });
});
