// Importing a Br35H-shaped zip from the datasets page: upload progress, the report, the new row
// and its previews; and a malicious zip refused with the reason, leaving no dataset behind.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { traversalZip, zipFolder } from '../helpers/zip';
import { ACCOUNTS } from '../pages/accounts';

test.use({ storageState: ACCOUNTS.editor.storageState });

let work: string;
test.beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-upload-'));
  await writeRawDemoDataset(path.join(work, 'raw'), { seed: 99, perClass: 12 });
  await writeRawDemoDataset(path.join(work, 'folder-scans'), { seed: 98, perClass: 10 });
  fs.writeFileSync(path.join(work, 'raw', 'yes', 'truncated.jpg'), fs.readFileSync(path.join(work, 'raw', 'yes', 'y0.jpg')).subarray(0, 300));
  await zipFolder(path.join(work, 'raw'), path.join(work, 'scans.zip'));
  const image = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 90, g: 90, b: 90 } } }).jpeg().toBuffer();
  await traversalZip(path.join(work, 'evil.zip'), image);
});
test.afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('a zip uploaded from the page is imported with its report and appears in the list', async ({ page }) => {
  await page.goto('/datasets');
  await expect(page.getByTestId('datasets-table')).toBeVisible();
  await page.getByTestId('upload-file').setInputFiles(path.join(work, 'scans.zip'));
  await page.getByPlaceholder('name (optional)').fill('uploaded scans');
  await page.getByTestId('upload-submit').click();
  const result = page.getByTestId('upload-result');
  await expect(result).toContainText('Imported uploaded scans: 24 images, 1 skipped', { timeout: 60_000 });
  await expect(result).toContainText('skipped yes/truncated.jpg');
  const row = page.getByTestId('dataset-row-uploaded scans');
  await expect(row).toContainText('24');
  await row.getByRole('link').click();
  await expect(page.getByTestId('dataset-stats')).toContainText('12 / 12 / 0');
  await expect(page.getByTestId('preview-tumor')).toHaveJSProperty('complete', true);
  expect(await page.getByTestId('preview-tumor').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: '.tmp/screens/dataset.png', fullPage: true });
});

test('a folder chosen on the page is uploaded with its yes/ and no/ paths and imported', async ({ page }) => {
  // The browser sends each file as folder-scans/yes/… : the server keeps those paths.
  await page.goto('/datasets');
  await expect(page.getByTestId('datasets-table')).toBeVisible();
  await page.getByTestId('upload-folder').setInputFiles(path.join(work, 'folder-scans'));
  await page.getByPlaceholder('name (optional)').fill('folder scans');
  await page.getByTestId('upload-submit').click();
  await expect(page.getByTestId('upload-result')).toContainText('Imported folder scans: 20 images', { timeout: 60_000 });
  await expect(page.getByTestId('dataset-row-folder scans')).toContainText('20');
});

test('a zip that climbs out of its folder is refused and nothing is imported', async ({ page }) => {
  await page.goto('/datasets');
  await expect(page.locator('[data-testid^="dataset-row-"]').first()).toBeVisible();
  const rowsBefore = await page.locator('[data-testid^="dataset-row-"]').count();
  await page.getByTestId('upload-file').setInputFiles(path.join(work, 'evil.zip'));
  await page.getByTestId('upload-submit').click();
  await expect(page.getByTestId('upload-error')).toContainText('"../evil.jpg" climbs out of the archive');
  await page.reload();
  await expect(page.getByTestId('datasets-table')).toBeVisible();
  expect(await page.locator('[data-testid^="dataset-row-"]').count()).toBe(rowsBefore);
});
