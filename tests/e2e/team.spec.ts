// Two teammates on one finished run's page, in two browsers: each sees the other there and online;
// a comment pinned to a step appears live on the other's page with its marker on the chart; a
// comment holding a script shows as text, runs nothing and opens no dialog; leaving the page or
// dropping the connection clears a person's presence. Eddie is an editor, Vera a viewer.
import { test, expect, type Page } from '@playwright/test';
import { LaunchForm, RunPage } from '../pages/run-page';
import { ACCOUNTS } from '../pages/accounts';
import { chartMarkers, CommentThread, Presence } from '../pages/comments';

let runId: string;

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext({ storageState: ACCOUNTS.editor.storageState });
  const page = await context.newPage();
  const form = new LaunchForm(page);
  await form.open();
  runId = await form.launch('smoke', 21);
  await new RunPage(page).expectFinished();
  await context.close();
});

/** A signed-in page with every dialog (alert, confirm) recorded and dismissed. */
async function open(browser: import('@playwright/test').Browser, role: 'editor' | 'viewer', dialogs: string[], colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({ storageState: ACCOUNTS[role].storageState, colorScheme, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('dialog', (dialog) => {
    dialogs.push(`${role}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}

test('presence, a pinned comment live with its chart marker, and a script shown as text', async ({ browser }) => {
  const dialogs: string[] = [];
  const eddie = await open(browser, 'editor', dialogs);
  const vera = await open(browser, 'viewer', dialogs, 'dark');
  await eddie.goto(`/runs/${runId}`);
  await vera.goto(`/runs/${runId}`);

  // Each sees the other on the page and online, each with their colour.
  await expect(new Presence(eddie).watchers()).toContainText(ACCOUNTS.viewer.name);
  await expect(new Presence(vera).watchers()).toContainText(ACCOUNTS.editor.name);
  await expect(new Presence(vera).online()).toContainText(ACCOUNTS.editor.name);
  await expect(new Presence(eddie).online()).toContainText(ACCOUNTS.viewer.name);

  // Eddie pins a comment to the run's latest step; Vera sees it arrive with its marker.
  const eddieThread = new CommentThread(eddie);
  await expect(eddieThread.pinSelect()).toBeVisible();
  const latest = Number(/\((\d+)\)/.exec((await eddieThread.pinSelect().locator('option[value="latest"]').textContent())!)![1]);
  await eddieThread.write('Validation loss **jumps** here; see [the paper](https://arxiv.org/abs/2105.00000)', 'latest');
  const veraThread = new CommentThread(vera);
  const pinned = veraThread.comment('Validation loss jumps here');
  await expect(pinned).toBeVisible();
  await expect(pinned.locator('strong')).toHaveText('jumps');
  await expect(pinned.getByRole('link', { name: 'the paper' })).toHaveAttribute('href', 'https://arxiv.org/abs/2105.00000');
  await expect(pinned.getByTestId('comment-pin-label')).toHaveText(`step ${latest}`);
  const marker = chartMarkers(vera, 'loss-chart');
  await expect(marker).toHaveCount(1);
  await expect(marker).toHaveAttribute('data-step', String(latest));
  await expect(chartMarkers(vera, 'accuracy-chart')).toHaveCount(1);
  await marker.getByRole('button').hover();
  await expect(marker.getByTestId('chart-marker-popover')).toContainText(`${ACCOUNTS.editor.name} · step ${latest}`);

  // A click on Vera's chart picks a step for her next comment.
  const over = vera.getByTestId('loss-chart').locator('.u-over');
  const box = (await over.boundingBox())!;
  await vera.mouse.click(box.x + box.width * 0.3, box.y + box.height / 2);
  await expect(veraThread.pinSelect()).toHaveValue(/picked|latest/);
  await veraThread.pinSelect().selectOption('none');

  // Vera's comment holds a script: both pages show it as text, and nothing runs.
  await veraThread.write('<script>alert(1)</script> is *only* text');
  for (const page of [eddie, vera]) {
    const scripted = new CommentThread(page).comment('<script>alert(1)</script> is only text');
    await expect(scripted).toBeVisible();
    await expect(scripted.locator('script')).toHaveCount(0);
    await expect(scripted.locator('em')).toHaveText('only');
  }
  await eddie.waitForTimeout(500);
  expect(dialogs).toEqual([]);

  await marker.getByRole('button').click();
  await expect(pinned).toHaveClass(/bg-sky-50/);
  await eddie.screenshot({ path: '.tmp/screens/run-comments.png', fullPage: true });
  await vera.screenshot({ path: '.tmp/screens/run-comments-dark.png', fullPage: true });

  // Vera opens the comparison table and comments on the run's cell through its badge.
  await vera.goto('/compare');
  const badge = vera.getByTestId('cell-cnn-real').getByTestId('cell-comments');
  await badge.click();
  await new CommentThread(vera, 'cell-comments-panel').write('Baseline for the mixed columns');
  await expect(badge).toHaveAttribute('data-count', '1');
  await vera.screenshot({ path: '.tmp/screens/compare-cell-comments-dark.png', fullPage: true });

  // Vera left the run page: Eddie no longer sees her there; when her browser closes, she goes offline.
  await expect(new Presence(eddie).watchers()).toHaveCount(0);
  await expect(new Presence(eddie).online()).toContainText(ACCOUNTS.viewer.name);
  await vera.context().close();
  await expect(new Presence(eddie).online().getByText(ACCOUNTS.viewer.name)).toHaveCount(0);
  await eddie.context().close();
});

test('a comment pinned to the sample grid shown pins that grid and marks its step', async ({ browser }) => {
  const dialogs: string[] = [];
  const eddie = await open(browser, 'editor', dialogs);
  const launched = await eddie.request.post('/api/trpc/runs.launch', { data: { model: 'vae', preset: 'smoke', seed: 22, imageClass: 'tumor', overrides: { epochs: 1 } } });
  expect(launched.ok()).toBe(true);
  const vaeId: string = (await launched.json()).result.data.id;
  await eddie.goto(`/runs/${vaeId}`);
  await expect(eddie.getByTestId('final-losses')).toBeVisible({ timeout: 120_000 });
  const step = Number((await eddie.getByTestId('sample-step').textContent())!.replace('step ', ''));

  const thread = new CommentThread(eddie);
  await thread.write('Blurred heads with a skull ring by now', 'grid');
  await expect(thread.comment('Blurred heads').getByTestId('comment-pin-label')).toHaveText(`sample grid, step ${step}`);
  const pin = eddie.getByTestId('sample-grids').getByTestId('grid-pin');
  await expect(pin).toHaveCount(1);
  await expect(chartMarkers(eddie, 'loss-chart')).toHaveAttribute('data-step', String(step));
  await pin.hover();
  await eddie.screenshot({ path: '.tmp/screens/run-grid-pin.png', fullPage: true });
  // An earlier grid has no pin.
  await eddie.getByTestId('sample-scrubber').fill('0');
  await expect(pin).toHaveCount(0);
  expect(dialogs).toEqual([]);
  await eddie.context().close();
});

test('a study page shows who else is watching it, and its comments arrive live', async ({ browser }) => {
  const dialogs: string[] = [];
  const eddie = await open(browser, 'editor', dialogs);
  const vera = await open(browser, 'viewer', dialogs, 'dark');
  const launched = await eddie.request.post('/api/trpc/studies.launch', { data: { preset: 'smoke', seeds: 1, sweep: false, name: 'team presence study' } });
  expect(launched.ok()).toBe(true);
  const studyId: string = (await launched.json()).result.data.id;
  await eddie.goto(`/studies/${studyId}`);
  await vera.goto(`/studies/${studyId}`);
  await expect(new Presence(eddie).watchers()).toContainText(ACCOUNTS.viewer.name);
  await expect(new Presence(vera).watchers()).toContainText(ACCOUNTS.editor.name);

  await new CommentThread(vera).write('Running the **smoke** matrix first, then `quick`');
  for (const page of [eddie, vera]) await expect(new CommentThread(page).comment('Running the smoke matrix first, then quick')).toBeVisible();
  await vera.screenshot({ path: '.tmp/screens/study-comments-dark.png', fullPage: true });
  expect((await eddie.request.post('/api/trpc/studies.cancel', { data: { id: studyId } })).ok()).toBe(true);
  expect(dialogs).toEqual([]);
  await vera.context().close();
  await expect(new Presence(eddie).watchers()).toHaveCount(0);
  await eddie.context().close();
});
