// A generator's quality on validation, as a user sees it: launched from the form, its run page
// fills the "Quality on validation" charts epoch by epoch while it trains, and the synthesis form
// shows its FID curve with the default checkpoint (the lowest FID) marked and another to pick.
import { test, expect } from '@playwright/test';
import { ACCOUNTS } from '../pages/accounts';

test.use({ storageState: ACCOUNTS.editor.storageState });

const EPOCHS = 30;

test('a smoke GAN fills its quality chart while it trains, and the synthesis form shows the curve and the default epoch', async ({ page }) => {
  await page.goto('/runs/new');
  await page.locator('select[name="model"]').selectOption('gan');
  await page.locator('select[name="imageClass"]').selectOption('healthy');
  await page.getByTestId('preset-smoke').check();
  await page.locator('[name="epochs"]').fill(String(EPOCHS));
  await expect(page.locator('[name="qualityEvery"]')).toHaveValue('1');
  await page.getByTestId('launch-submit').click();
  await page.waitForURL(/\/runs\/r-/);
  const runId = page.url().split('/runs/')[1];

  // Live: the FID chart has some epochs while the run is still short of its last.
  const fid = page.getByTestId('quality-fid-chart');
  await expect(page.getByTestId('quality-charts')).toContainText('Quality on validation');
  await expect.poll(async () => Number(await fid.getAttribute('data-points')), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const partial = Number(await fid.getAttribute('data-points'));
  expect(partial).toBeLessThan(EPOCHS);
  await expect(page.getByTestId('final-losses')).toContainText('d_loss', { timeout: 120_000 });
  await expect(fid).toHaveAttribute('data-points', String(EPOCHS));
  await expect(page.getByTestId('quality-pr-chart')).toHaveAttribute('data-points', String(EPOCHS));
  await expect(page.getByTestId('run-log')).toContainText(`quality at epoch ${EPOCHS}: 64 samples against`);
  await expect(page.getByTestId('quality-charts')).toContainText('class fidelity (called its class)');
  await page.screenshot({ path: '.tmp/quality-run-page.png', fullPage: true });

  // The default the server computes: the lowest FID among the kept checkpoints not flagged for
  // mode collapse and called their class about as often as real images (within 15 points), each
  // filter dropped when no epoch passes it.
  const res = await page.request.get(`/api/trpc/datasets.generatorCheckpoints?input=${encodeURIComponent(JSON.stringify({ runId }))}`);
  expect(res.ok()).toBe(true);
  type Measured = { epoch: number; fid: number; modeCollapseLikely: boolean; classFidelity: { synthetic: number; realVal: number } };
  const { kept, curve, default: choice } = (await res.json()).result.data as { kept: number[]; curve: Measured[]; default: { epoch: number; fid: number; reason: string } };
  expect(curve).toHaveLength(EPOCHS);
  for (const q of curve) expect(q.classFidelity.synthetic).toBeGreaterThanOrEqual(0);
  const narrow = (set: Measured[], keep: (q: Measured) => boolean) => (set.some(keep) ? set.filter(keep) : set);
  const eligible = narrow(narrow(curve.filter((q) => kept.includes(q.epoch)), (q) => !q.modeCollapseLikely), (q) => q.classFidelity.synthetic >= q.classFidelity.realVal - 0.15);
  expect(choice.fid).toBe(Math.min(...eligible.map((q) => q.fid)));
  expect(kept).toContain(choice.epoch);
  const chosen = curve.find((q) => q.epoch === choice.epoch)!;
  expect(choice.reason).toContain(`class fidelity ${Math.round(chosen.classFidelity.synthetic * 100)}% (real ${Math.round(chosen.classFidelity.realVal * 100)}%)`);

  await page.goto('/datasets');
  const form = page.getByTestId('synthesize-form');
  await form.getByTestId('synth-healthy').selectOption(runId);
  await expect(form.getByTestId('synth-healthy-curve')).toHaveAttribute('data-points', String(EPOCHS));
  await expect(form.getByTestId('synth-healthy-curve')).toHaveAttribute('data-default-epoch', String(choice.epoch));
  await expect(form.getByTestId('synth-healthy-default')).toContainText(`best FID on validation, epoch ${choice.epoch}: FID ${choice.fid.toFixed(1)}`);
  const picker = form.getByTestId('synth-healthy-epoch');
  await expect(picker.locator('option').first()).toHaveText(`best on validation (epoch ${choice.epoch}, FID ${choice.fid.toFixed(1)})`);
  await expect(picker.locator('option')).toHaveCount(kept.length + 1);
  const other = kept.find((e) => e !== choice.epoch)!;
  await picker.selectOption(String(other));
  await expect(form.getByTestId('synth-healthy-default')).toContainText(`picked epoch ${other}`);
  await form.screenshot({ path: '.tmp/quality-synthesis-form.png' });
});
