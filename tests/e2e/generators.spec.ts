// A generator run from the form: the sample grids stream in beside the real images, and the step
// scrubber goes back to an earlier grid.
import { test, expect } from '@playwright/test';
import { ACCOUNTS } from '../pages/accounts';

test.use({ storageState: ACCOUNTS.editor.storageState });

test('a GAN run shows its live sample grids with a step scrubber', async ({ page }) => {
  await page.goto('/runs/new');
  await page.locator('select[name="model"]').selectOption('gan');
  await page.locator('select[name="imageClass"]').selectOption('healthy');
  await page.getByTestId('preset-smoke').check();
  await page.locator('[name="epochs"]').fill('3');
  await page.getByTestId('launch-submit').click();
  await page.waitForURL(/\/runs\/r-/);
  await expect(page.getByText('GAN (healthy)')).toBeVisible();
  await expect(page.getByTestId('final-losses')).toContainText('d_loss', { timeout: 120_000 });
  const grids = page.getByTestId('sample-grids');
  await expect(grids).toHaveAttribute('data-count', /^[3-9]$/);
  await expect(page.getByAltText('real training images')).toBeVisible();
  const last = await page.getByTestId('sample-step').textContent();
  await page.getByTestId('sample-scrubber').fill('0');
  await expect(page.getByTestId('sample-step')).toHaveText('step 0');
  expect(last).not.toBe('step 0');
  expect(await page.getByAltText('samples at step 0').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(128);
});

test('a synthetic dataset made from the datasets page shows its lineage and quality report', async ({ page }) => {
  // Two finished generators (one per class), launched through the API the form uses.
  const ids: Record<string, string> = {};
  for (const [model, imageClass] of [['vae', 'tumor'], ['gan', 'healthy']] as const) {
    const res = await page.request.post('/api/trpc/runs.launch', { data: { model, preset: 'smoke', seed: 4, imageClass, overrides: { epochs: 1 } } });
    expect(res.ok()).toBe(true);
    ids[imageClass] = (await res.json()).result.data.id;
  }
  await page.goto('/datasets');
  const form = page.getByTestId('synthesize-form');
  await expect(form.getByTestId('synth-tumor').locator(`option[value="${ids.tumor}"]`)).toHaveCount(1, { timeout: 120_000 });
  await expect(form.getByTestId('synth-healthy').locator(`option[value="${ids.healthy}"]`)).toHaveCount(1, { timeout: 120_000 });
  await form.getByTestId('synth-tumor').selectOption(ids.tumor);
  await form.getByTestId('synth-healthy').selectOption(ids.healthy);
  await form.getByTestId('synth-per-class').fill('24');
  await form.getByTestId('synth-submit').click();
  await form.getByTestId('synth-launched').getByRole('link').click();
  await page.waitForURL(/\/runs\/r-/);
  const outcome = page.getByTestId('synthetic-outcome');
  await expect(outcome).toContainText('48 images', { timeout: 120_000 });
  await expect(outcome).toContainText('FID');
  await outcome.getByRole('link').click();
  await page.waitForURL(/\/datasets\/ds-/);
  await expect(page.getByTestId('lineage')).toContainText(ids.tumor);
  await expect(page.getByTestId('lineage')).toContainText(ids.healthy);
  const report = page.getByTestId('quality-report');
  await expect(report).toContainText('Memorisation ratio');
  await expect(report).toContainText('Class fidelity');
  await expect(report.locator('th', { hasText: 'tumor' })).toBeVisible();
  await expect.poll(() => page.getByTestId('closest-tumor').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(128);
  await page.screenshot({ path: '.tmp/synthetic-dataset.png', fullPage: true });
  const datasetId = page.url().split('/').at(-1)!;

  // A BrainCNN trained only on it, from the form; tested on real images.
  await page.goto('/runs/new');
  await page.getByTestId('preset-smoke').check();
  await page.locator('select[name="trainData"]').selectOption('synthetic');
  await page.locator('select[name="syntheticDatasetId"]').selectOption(datasetId);
  await page.getByTestId('launch-submit').click();
  await page.waitForURL(/\/runs\/r-/);
  await expect(page.getByTestId('final-metrics')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('roc-chart')).toHaveAttribute('data-curves', '1');
  await page.goto('/compare');
  await expect(page.getByTestId('cell-cnn-synthetic-gan+vae')).toContainText('n=1');
});
