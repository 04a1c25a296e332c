import { test, expect, Page } from '@playwright/test';
import { ask, axe, newTicket, signedIn } from './support';
import { baseURL } from '../playwright.config';

// "My requests", end to end: Alex opens his requests from the header, filters them by the tabs in
// the address and opens one; the list and the home page fit a 390 px screen and pass axe; once Megan
// approves and the request reaches Graph, its page says the JSON was sent.

/** The page is no wider than the screen: nothing scrolls sideways. */
async function fitsWidth(page: Page, width: number) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `${page.url()} is ${scrollWidth} px wide`).toBeLessThanOrEqual(width);
}

test('a requester opens My requests from the header, filters to waiting and opens a request', async ({ browser }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  const id = await ask(alex, ticket);

  await alex.goto('/');
  await alex.getByTestId('my-requests-link').click();
  await expect(alex).toHaveURL(/\/requests$/);
  await expect(alex.getByRole('heading', { level: 1 })).toHaveText('My requests');
  await expect(alex.getByRole('link', { name: 'All', exact: true })).toHaveAttribute('aria-current', 'page');
  // Newest first: the one just asked for leads the list.
  const first = alex.getByTestId('my-request').first();
  await expect(first).toHaveAttribute('data-request', id);
  await expect(first).toContainText(ticket);
  await expect(first.getByTestId('request-status')).toHaveText('waiting for approval');
  await expect(first).toContainText('AWS statement: allow s3:GetObject on *');

  await alex.getByRole('link', { name: 'Waiting', exact: true }).click();
  await expect(alex).toHaveURL(/\/requests\?show=waiting$/);
  await expect(alex.getByRole('link', { name: 'Waiting', exact: true })).toHaveAttribute('aria-current', 'page');
  const mine = alex.locator(`[data-request="${id}"]`);
  await expect(mine).toBeVisible();
  await alex.screenshot({ path: testInfo.outputPath('1-waiting.png'), fullPage: true });

  // Past has none of what waits.
  await alex.getByRole('link', { name: 'Past', exact: true }).click();
  await expect(alex).toHaveURL(/\/requests\?show=past$/);
  await expect(alex.locator(`[data-request="${id}"]`)).toHaveCount(0);

  await alex.getByRole('link', { name: 'Waiting', exact: true }).click();
  await mine.getByRole('link').first().click();
  await expect(alex).toHaveURL(new RegExp(`/requests/${id}$`));
  await expect(alex.getByTestId('request-status')).toHaveText('waiting for approval');
  await expect(alex.locator('summary')).toHaveText('The JSON to send to Microsoft Graph once approved');

  // A made-up position in the list is refused in words, not with a broken page.
  await alex.goto('/requests?before=yesterday');
  await expect(alex.getByTestId('my-requests-error')).toContainText("The address's position in the list");
  expect(errors).toEqual([]);
});

test('at 390 px neither My requests nor the home page scrolls sideways, and My requests passes axe', async ({ browser }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors, { width: 390, height: 844 });
  await ask(alex, newTicket());

  await alex.goto('/requests');
  await expect(alex.getByTestId('my-request').first()).toBeVisible();
  await fitsWidth(alex, 390);
  await axe(alex);
  await alex.screenshot({ path: testInfo.outputPath('1-requests-390.png'), fullPage: true });

  await alex.goto('/requests?show=active');
  await expect(alex.getByRole('link', { name: 'Active now', exact: true })).toHaveAttribute('aria-current', 'page');
  await axe(alex);

  await alex.goto('/');
  await expect(alex.getByTestId('home-mine-waiting')).toContainText('wait');
  await fitsWidth(alex, 390);
  await axe(alex);
  await alex.screenshot({ path: testInfo.outputPath('2-home-390.png'), fullPage: true });
  await alex.getByTestId('home-mine-waiting').getByRole('link').click();
  await expect(alex).toHaveURL(/\/requests\?show=waiting$/);
  expect(errors).toEqual([]);
});

test('once a request reaches Graph its page says the JSON was sent', async ({ browser }) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const id = await ask(alex, newTicket());
  const megan = await signedIn(browser, 'Megan Bowen', errors);
  const decided = await megan.request.post('/api/decide_request', {
    data: { id, decision: { decision: 'approve' } },
    headers: { Origin: baseURL },
  });
  expect(decided.status(), await decided.text()).toBe(200);

  // The submission job sends it; the page asks again while it is approved.
  await alex.goto(`/requests/${id}`);
  await expect(alex.getByTestId('request-status')).toHaveText('submitted', { timeout: 20_000 });
  await expect(alex.locator('summary')).toHaveText('The JSON sent to Microsoft Graph');
  expect(errors).toEqual([]);
});
