// The activity log between two people: the editor launches a smoke run from the form; the
// viewer's Activity page, already open, shows "launched" by the editor without reloading, with a
// link to the run; the runs list filtered by the editor (a shareable ?by= link) shows the run, and
// filtered by someone else does not.
import { test, expect, type Page } from '@playwright/test';
import { LaunchForm } from '../pages/run-page';
import { ACCOUNTS } from '../pages/accounts';

/** The signed-in person's id, as the page's own tRPC client would read it. */
async function myId(page: Page): Promise<string> {
  const res = await page.request.get('/api/trpc/people.me');
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { result: { data: { id: string } } }).result.data.id;
}

/** Light and dark screenshots of the page as it is. */
async function screenshots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `.tmp/screens/${name}.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `.tmp/screens/${name}-dark.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
}

test("an editor's launch appears live on a viewer's Activity page, and the runs list filters by who launched", async ({ browser }) => {
  const eddie = await (await browser.newContext({ storageState: ACCOUNTS.editor.storageState })).newPage();
  const vera = await (await browser.newContext({ storageState: ACCOUNTS.viewer.storageState })).newPage();

  await vera.goto('/');
  await vera.getByTestId('nav-activity').click();
  await vera.waitForURL('**/activity');
  await expect(vera.getByRole('heading', { name: 'Activity' })).toBeVisible();
  await expect(vera.getByTestId('activity-list')).toContainText('joined');
  await vera.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  const form = new LaunchForm(eddie);
  await form.open();
  const runId = await form.launch('smoke', 21);

  // Vera sees it arrive at the top, without reloading.
  const entry = vera.locator(`[data-testid="activity-entry"][data-target="${runId}"]`);
  await expect(entry).toHaveAttribute('data-action', 'launched');
  await expect(vera.getByTestId('activity-entry').first()).toHaveAttribute('data-target', runId);
  await expect(entry.getByTestId('activity-person')).toHaveText(ACCOUNTS.editor.name);
  await expect(entry.getByTestId('activity-verb')).toHaveText('launched run');
  await expect(entry.getByTestId('activity-target')).toHaveText('cnn · smoke · seed 21 on demo-br35h-like-60');
  expect(await vera.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // The filter by person keeps the editor's entries, and is kept in the URL.
  const eddieId = await myId(eddie);
  await vera.getByTestId('activity-filter').selectOption({ label: ACCOUNTS.editor.name });
  await expect(vera).toHaveURL(new RegExp(`/activity\\?person=${eddieId}$`));
  await expect(entry).toBeVisible();
  await expect.poll(async () => [...new Set(await vera.getByTestId('activity-person').allTextContents())]).toEqual([ACCOUNTS.editor.name]);
  await vera.getByTestId('activity-filter').selectOption({ label: ACCOUNTS.admin.name });
  await expect(entry).toHaveCount(0);
  await vera.getByTestId('activity-filter').selectOption({ label: 'everyone' });
  await expect(entry).toBeVisible();
  await screenshots(vera, 'activity');

  // The link leads to the run.
  await entry.getByTestId('activity-target').click();
  await vera.waitForURL(`**/runs/${runId}`);
  await expect(vera.getByTestId('run-launched-by')).toContainText(ACCOUNTS.editor.name);

  // The runs list filtered by the editor shows the run, live to its end; the link can be shared.
  await vera.goto('/');
  await vera.getByTestId('runs-filter').selectOption({ label: ACCOUNTS.editor.name });
  await expect(vera).toHaveURL(new RegExp(`/\\?by=${eddieId}$`));
  const row = vera.getByTestId(`run-row-${runId}`);
  await expect(row.getByTestId('row-launched-by')).toHaveText(ACCOUNTS.editor.name);
  await expect(row.getByTestId('run-status')).toHaveAttribute('data-status', 'succeeded', { timeout: 120_000 });
  await screenshots(vera, 'runs-by-launcher');
  await eddie.goto(vera.url());
  await expect(eddie.getByTestId('runs-filter')).toHaveValue(eddieId);
  await expect(eddie.getByTestId(`run-row-${runId}`)).toBeVisible();

  // Filtered by someone else (the viewer, who launched nothing), the run is not there.
  await vera.goto(`/?by=${await myId(vera)}`);
  await expect(vera.getByTestId('runs-filter-empty')).toBeVisible();
  await expect(row).toHaveCount(0);
  await eddie.context().close();
  await vera.context().close();
});
