// Page objects for presence and comments: the badges of who is here and online, a comment thread
// and its composer, and the markers comments leave on a run's charts.
import { expect, type Locator, type Page } from '@playwright/test';

export class Presence {
  constructor(private readonly page: Page) {}
  /** Who else has this run or study page open (absent when nobody). */
  watchers(): Locator {
    return this.page.getByTestId('page-watchers');
  }
  online(): Locator {
    return this.page.getByTestId('online-people');
  }
}

export class CommentThread {
  private readonly panel: Locator;
  constructor(page: Page, testId = 'comments-panel') {
    this.panel = page.getByTestId(testId);
  }
  /** Writes and posts a comment; `pin` picks an entry of the composer's "Pin to" list. */
  async write(body: string, pin?: 'latest' | 'grid' | 'picked') {
    if (pin) await this.panel.getByTestId('comment-pin').selectOption(pin);
    await this.panel.getByTestId('comment-input').fill(body);
    await this.panel.getByTestId('comment-submit').click();
    await expect(this.panel.getByTestId('comment-input')).toHaveValue('');
  }
  comment(text: string | RegExp): Locator {
    return this.panel.getByTestId('comment').filter({ hasText: text });
  }
  pinSelect(): Locator {
    return this.panel.getByTestId('comment-pin');
  }
}

/** The markers of pinned comments on one chart of a run page. */
export const chartMarkers = (page: Page, chartTestId: string): Locator => page.getByTestId(chartTestId).getByTestId('chart-marker');
