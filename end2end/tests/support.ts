import { Browser, expect, Page, TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { baseURL } from '../playwright.config';

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

// What the decision journeys share: people in browser contexts of their own, and requests made
// through the plain form.

/** A browser context of its own for `who` (at `viewport` when given), signed in, on the home page. */
export async function signedIn(
  browser: Browser,
  who: string,
  errors: string[],
  viewport?: { width: number; height: number },
): Promise<Page> {
  const page = await (await browser.newContext(viewport ? { viewport } : {})).newPage();
  page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
  await page.goto('/auth/login');
  await page.getByRole('button', { name: `Sign in as ${who}` }).click();
  await expect(page.getByTestId('viewer-name')).toHaveText(who);
  return page;
}

/** A ServiceNow ticket no other run has used: the stand-in's requests are found by it. */
export function newTicket(): string {
  return `INC${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

// An AWS statement on Alex's own identity: reading objects is not risky, so it can be approved with others.
export const READ_OBJECTS: Record<string, string> = {
  cloud: 'aws',
  system: '956987887735',
  identity: 'user:rsn:alex@contoso.com',
  what: 'aws_statements',
  role: 'arn:aws:iam::956987887735:role/saml-user',
  item: 's3:GetObject',
  resources: '*',
  effect: 'allow',
  start: 'now',
  length: 'PT1H',
  justification: 'Investigate the failed deployment of the orders service',
  approver: 'megan@contoso.com',
};

/** Asks for access as the person signed in on `page`, through the plain form; returns the request's id. */
export async function ask(page: Page, ticket: string, fields: Record<string, string> = {}): Promise<string> {
  const response = await page.request.post('/requests/new', {
    form: { ...READ_OBJECTS, ticket, ...fields },
    headers: { Origin: baseURL },
    maxRedirects: 0,
  });
  expect(response.status(), await response.text()).toBe(303);
  const id = /\/requests\/([0-9a-f-]{36})$/.exec(response.headers()['location'] ?? '')?.[1];
  expect(id, response.headers()['location']).toBeTruthy();
  return id as string;
}

/** Axe on the page as it is: no serious or critical violation. */
export async function axe(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}
