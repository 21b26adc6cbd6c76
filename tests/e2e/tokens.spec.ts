// Tokens as people meet them: a person makes a personal API token on Settings, sees it once,
// uses it, revokes it, and the revoked token is refused; an admin makes and revokes a worker token
// on the People page.
import { test, expect } from '@playwright/test';
import { ACCOUNTS } from '../pages/accounts';

test.describe('an editor', () => {
  test.use({ storageState: ACCOUNTS.editor.storageState });

  test('creates an API token, sees it once, revokes it, and the revoked token is refused', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('settings-me')).toContainText(ACCOUNTS.editor.email);
    await page.getByTestId('token-create-name').fill('e2e script');
    await page.getByTestId('token-create-submit').click();
    const token = await page.getByTestId('token-create-value').inputValue();
    expect(token).toMatch(/^mri_[\w-]{43}$/);
    await expect(page.getByTestId('token-create-warning')).toContainText('will not be shown again');
    const row = page.getByTestId('token-row').filter({ hasText: 'e2e script' });
    await expect(row).toContainText(token.slice(0, 12));
    await expect(row.getByTestId('token-status')).toHaveText('active');

    // The token acts as its owner (the page's own cookie, sent along, is ignored beside it).
    const me = await page.request.get('/api/trpc/people.me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.status()).toBe(200);
    expect((await me.json()).result.data.email).toBe(ACCOUNTS.editor.email);
    await page.screenshot({ path: '.tmp/screens/settings-token-created.png', fullPage: true });

    // Shown once: after a reload only its first characters are on the page.
    await page.reload();
    await expect(row).toBeVisible();
    await expect(page.getByTestId('token-create-value')).toHaveCount(0);
    expect(await page.content()).not.toContain(token);
    await expect(row.getByTestId('token-last-used')).not.toHaveText('never');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByTestId('token-revoke').click();
    await expect(row.getByTestId('token-status')).toContainText('revoked');
    await expect(row.getByTestId('token-revoke')).toHaveCount(0);
    const refused = await page.request.get('/api/trpc/people.me', { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status()).toBe(401);
    expect((await refused.json()).error.message).toContain('revoked');
    await page.screenshot({ path: '.tmp/screens/settings-token-revoked.png', fullPage: true });
  });
});

test.describe('an admin', () => {
  test.use({ storageState: ACCOUNTS.admin.storageState });

  test('makes a worker token on the People page, shown once, and revokes it', async ({ page }) => {
    await page.goto('/people');
    await page.getByTestId('worker-token-create-name').fill('gpu-box-e2e');
    await page.getByTestId('worker-token-create-submit').click();
    const token = await page.getByTestId('worker-token-create-value').inputValue();
    expect(token).toMatch(/^mrw_[\w-]{43}$/);
    await expect(page.getByTestId('worker-token-create-created')).toContainText(`WORKER_TOKEN=${token}`);
    const row = page.getByTestId('worker-token-row').filter({ hasText: 'gpu-box-e2e' });
    await expect(row).toContainText(ACCOUNTS.admin.name);
    await page.screenshot({ path: '.tmp/screens/people-worker-token.png', fullPage: true });
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByTestId('worker-token-revoke').click();
    await expect(row.getByTestId('worker-token-status')).toContainText('revoked');
  });
});
