// Accounts and roles as people meet them: a signed-out visitor lands on /sign-in and signs in; a
// viewer sees no launch controls and the server refuses their launch anyway; an admin's People
// page lists everyone with their roles.
import { test, expect } from '@playwright/test';
import { ACCOUNTS, E2E_PASSWORD } from '../pages/accounts';

test.describe('signed out', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('a visitor without a session lands on /sign-in, and signs in back to the page they wanted', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
    await expect(page.getByTestId('sign-in-form')).toBeVisible();
    await expect(page.getByTestId('nav-new-run')).toHaveCount(0);
    await page.screenshot({ path: '.tmp/screens/sign-in.png', fullPage: true });

    await page.goto('/compare');
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fcompare$/);
    await page.locator('input[name="email"]').fill(ACCOUNTS.viewer.email);
    await page.locator('input[name="password"]').fill('not the password');
    await page.getByTestId('sign-in-submit').click();
    await expect(page.getByTestId('sign-in-error')).toContainText('do not match');
    await page.screenshot({ path: '.tmp/screens/sign-in-error.png', fullPage: true });
    await page.locator('input[name="password"]').fill(E2E_PASSWORD);
    await page.getByTestId('sign-in-submit').click();
    await page.waitForURL('**/compare');
    await expect(page.getByTestId('me')).toContainText(ACCOUNTS.viewer.name);
  });
});

test.describe('a viewer', () => {
  test.use({ storageState: ACCOUNTS.viewer.storageState });

  test('sees no launch controls, and a launch sent from their page is refused with 403', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('me-role')).toHaveText('viewer');
    await expect(page.getByRole('heading', { name: 'Runs' })).toBeVisible();
    await expect(page.getByTestId('nav-new-run')).toHaveCount(0);
    await expect(page.getByTestId('nav-people')).toHaveCount(0);
    await expect(page.getByTestId('launch-link')).toHaveCount(0);

    await page.goto('/runs/new');
    await expect(page.getByTestId('launch-forbidden')).toBeVisible();
    await expect(page.getByTestId('launch-form')).toHaveCount(0);
    await expect(page.getByTestId('launch-submit')).toHaveCount(0);

    await page.goto('/datasets');
    await expect(page.getByTestId('datasets-table')).toBeVisible();
    await expect(page.getByTestId('upload-file')).toHaveCount(0);
    await expect(page.getByTestId('synthesize-form')).toHaveCount(0);
    await page.goto('/studies');
    await expect(page.getByTestId('study-form')).toHaveCount(0);

    const res = await page.request.post('/api/trpc/runs.launch', { data: { model: 'cnn', preset: 'smoke' } });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.message).toContain('needs the editor role');
  });
});

test.describe('an admin', () => {
  test.use({ storageState: ACCOUNTS.admin.storageState });

  test('sees everyone with their role on the People page', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('nav-people').click();
    const table = page.getByTestId('people-table');
    for (const role of ['admin', 'editor', 'viewer'] as const) {
      await expect(table.getByTestId(`person-${ACCOUNTS[role].email}`).getByTestId('person-role')).toHaveValue(role);
    }
    await page.getByTestId('invite-create-role').selectOption('editor');
    await page.getByTestId('invite-create-email').fill('newcomer@lab.test');
    await page.getByTestId('invite-create-submit').click();
    await expect(page.getByTestId('invite-link')).toHaveValue(/\/invite\/[\w-]{43}$/);
    await page.screenshot({ path: '.tmp/screens/people.png', fullPage: true });
  });
});
