import { expect, Page, TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

// What the request journeys share: signing in to the form, checking and photographing a step,
// and finishing a request through review to its own page.

/** Signs in as `who` from the form's address and waits for the page to be interactive. */
export async function signInToForm(page: Page, who: string, { hydrated = true } = {}) {
  page.on('console', (m) => { if (m.type() === 'error') console.log(`browser: ${m.text()}`); });
  await page.goto('/requests/new');
  await page.getByRole('button', { name: `Sign in as ${who}` }).click();
  await expect(page).toHaveURL(/\/requests\/new$/);
  if (hydrated) await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
}

/** Axe on step `n` (no serious or critical violation), then a full-page screenshot. */
export async function step(page: Page, testInfo: TestInfo, n: number, name: string) {
  const results = await new AxeBuilder({ page }).include(`#step-${n}`).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath(`${n}-${name}.png`), fullPage: true });
}

export const justification = 'Investigate the failed deployment of the orders service';

/** Fills in why, reviews, submits, and checks the request page. */
export async function finish(page: Page, testInfo: TestInfo, ticket: string) {
  await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
  await page.getByLabel(/ServiceNow ticket number/).fill(ticket);
  await step(page, testInfo, 6, 'why');
  await page.getByRole('button', { name: 'Review the request' }).click();
  await expect(page.getByTestId('review')).toBeVisible();
  await expect(page.getByTestId('graph-json')).toHaveCount(1);
  await step(page, testInfo, 7, 'review');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('request-status')).toHaveText('waiting for approval');
  await expect(page.getByTestId('request-history')).toContainText('waiting for approval');
  await page.screenshot({ path: testInfo.outputPath('8-request-page.png'), fullPage: true });
}

/** Presses Tab until `target` has the focus: the keyboard-only way to get somewhere. */
export async function tabTo(page: Page, target: ReturnType<Page['locator']>) {
  for (let i = 0; i < 300; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('could not reach the element with Tab');
}

/** The date `days` from today in the browser's zone, as a `datetime-local` value at `time`. */
export function localDateTime(days: number, time: string, timeZone: string): string {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return `${day}T${time}`;
}
