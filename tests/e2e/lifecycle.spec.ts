// Deleting through the dialogs: an editor deletes a finished run from its page while a viewer's
// runs list drops it live, and deletes an uploaded dataset that a run depends on, which the dialog
// refuses until its dependents are ticked too; the folders go from the server's disk.
import { test, expect, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRawDemoDataset } from '../../workers/data/phantom-raw';
import { zipFolder } from '../helpers/zip';
import { ACCOUNTS } from '../pages/accounts';

test.use({ storageState: ACCOUNTS.editor.storageState });
const DATA_DIR = '.tmp/e2e-data';

let work: string;
test.beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-delete-'));
  await writeRawDemoDataset(path.join(work, 'doomed'), { seed: 77, perClass: 10 });
  await zipFolder(path.join(work, 'doomed'), path.join(work, 'doomed.zip'));
});
test.afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function launch(page: Page, input: Record<string, unknown>): Promise<string> {
  const res = await page.request.post('/api/trpc/runs.launch', { data: input });
  expect(res.ok(), await res.text()).toBe(true);
  return (await res.json()).result.data.id;
}

test('an editor deletes a finished run from its page; a viewer sees it leave the runs list', async ({ page, browser }) => {
  const id = await launch(page, { model: 'gan', preset: 'smoke', seed: 31, imageClass: 'tumor', overrides: { epochs: 1 } });
  await page.goto(`/runs/${id}`);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 120_000 });
  expect(fs.existsSync(path.join(DATA_DIR, 'artifacts', id))).toBe(true);

  const viewer = await browser.newContext({ storageState: ACCOUNTS.viewer.storageState });
  const viewerPage = await viewer.newPage();
  await viewerPage.goto('/');
  await expect(viewerPage.getByTestId(`run-row-${id}`)).toBeVisible();
  await expect(viewerPage.getByTestId('delete-run')).toHaveCount(0);

  await page.getByTestId('delete-run').click();
  const dialog = page.getByTestId('delete-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('delete-target')).toContainText('gan (tumor) · smoke · seed 31');
  await expect(dialog.getByTestId('delete-no-dependents')).toHaveText('Nothing else depends on it.');
  await page.screenshot({ path: '.tmp/screens/delete-run-dialog.png' });
  await dialog.getByTestId('delete-confirm').click();
  await page.waitForURL((url) => url.pathname === '/');
  await expect(page.getByTestId(`run-row-${id}`)).toHaveCount(0);
  await expect(viewerPage.getByTestId(`run-row-${id}`)).toHaveCount(0);
  expect(fs.existsSync(path.join(DATA_DIR, 'artifacts', id))).toBe(false);
  await viewer.close();
});

test('a dataset a run depends on is deleted only with its dependents ticked', async ({ page }) => {
  await page.goto('/datasets');
  await page.getByTestId('upload-file').setInputFiles(path.join(work, 'doomed.zip'));
  await page.getByPlaceholder('name (optional)').fill('doomed-scans');
  await page.getByTestId('upload-submit').click();
  const row = page.getByTestId('dataset-row-doomed-scans');
  await expect(row).toContainText('20', { timeout: 60_000 });
  const datasetId = (await row.getByRole('link').getAttribute('href'))!.split('/').pop()!;
  const runId = await launch(page, { model: 'cnn', preset: 'smoke', seed: 5, datasetId, overrides: { epochs: 200, patience: 200 } });
  expect((await page.request.post('/api/trpc/runs.cancel', { data: { id: runId } })).ok()).toBe(true);

  // The built-in demo dataset has no Delete button.
  await expect(page.locator('[data-testid^="dataset-row-demo"]').getByTestId('delete-dataset')).toHaveCount(0);
  await row.getByTestId('delete-dataset').click();
  const dialog = page.getByTestId('delete-dialog');
  await expect(dialog.getByTestId('delete-dependents')).toContainText('1 run depends on it');
  await expect(dialog.getByTestId('delete-dependent')).toContainText(`cnn · smoke · seed 5 on doomed-scans`);
  await expect(dialog.getByTestId('delete-confirm')).toBeDisabled();
  await expect(dialog.getByText('Also delete what depends on it (1 run)')).toBeVisible();
  await dialog.getByTestId('delete-cascade').check();
  await expect(dialog.getByTestId('delete-confirm')).toHaveText('Delete with 1 run');
  await page.screenshot({ path: '.tmp/screens/delete-dataset-dialog.png' });
  await dialog.getByTestId('delete-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveCount(0);
  expect(fs.existsSync(path.join(DATA_DIR, 'datasets', datasetId))).toBe(false);
  const gone = await page.request.get(`/api/trpc/runs.get?input=${encodeURIComponent(JSON.stringify({ id: runId }))}`);
  expect(gone.status()).toBe(404);
});
