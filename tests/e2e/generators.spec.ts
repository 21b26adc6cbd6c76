// A generator run from the form: the sample grids stream in beside the real images, and the step
// scrubber goes back to an earlier grid.
import { test, expect } from '@playwright/test';

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
