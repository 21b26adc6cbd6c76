// Page objects for the e2e specs: the launch form, the dashboard and a run page.
import { expect, type Page } from '@playwright/test';

export class LaunchForm {
  constructor(private readonly page: Page) {}
  async open() {
    await this.page.goto('/runs/new');
    await expect(this.page.getByTestId('launch-form')).toBeVisible();
  }
  async launch(preset: 'smoke' | 'quick' | 'paper', seed: number, overrides: Record<string, string> = {}): Promise<string> {
    await this.page.getByTestId(`preset-${preset}`).check();
    await this.page.locator('input[name="seed"]').fill(String(seed));
    for (const [name, value] of Object.entries(overrides)) await this.page.locator(`[name="${name}"]`).fill(value);
    await this.page.getByTestId('launch-submit').click();
    await this.page.waitForURL(/\/runs\/r-/);
    return this.page.url().split('/runs/')[1];
  }
}

export class RunPage {
  constructor(private readonly page: Page) {}
  chartPoints() {
    return this.page.getByTestId('loss-chart').getAttribute('data-points').then(Number);
  }
  async expectFinished() {
    await expect(this.page.getByTestId('final-metrics')).toBeVisible({ timeout: 120_000 });
    await expect(this.page.getByTestId('metric-accuracy')).toHaveText(/^\d+\.\d\d%$/);
  }
}
