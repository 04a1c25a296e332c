import { test, expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ask, justification, newTicket, signInToForm, signedIn, step, tabTo } from './support';

// The request form's messages, durations, error summary and risk flags (issue 15): what a person
// sees when something is missing or wrong, typed as people type it, or riskier than it looks.

/** Axe on one element only (no serious or critical violation): the new parts of a page. */
async function axeOn(page: Page, selector: string) {
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** The element fits the viewport's width: nothing of it needs sideways scrolling. */
async function fitsWidth(page: Page, selector: string) {
  const { right, scroll, client } = await page.locator(selector).evaluate((el) => ({
    right: el.getBoundingClientRect().right,
    scroll: el.scrollWidth,
    client: el.clientWidth,
  }));
  const width = page.viewportSize()?.width ?? 0;
  expect(right).toBeLessThanOrEqual(width);
  expect(scroll).toBeLessThanOrEqual(client);
}

const isFocused = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => el === document.activeElement);

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`an empty form reviewed shows the error summary, focused, whose links reach each field (${viewport.width} px)`, async ({ page }, testInfo) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize(viewport);
    await signInToForm(page, 'Alex Wilber');

    await page.getByRole('button', { name: 'Review the request' }).click();
    const summary = page.getByTestId('error-summary');
    await expect(summary).toBeVisible();
    await expect(summary).toBeFocused();
    await expect(summary.getByRole('heading', { level: 2 })).toHaveText('There is a problem');
    await expect(page).toHaveTitle(/^Error: Request access/);
    // What the empty form says is a request for each choice, not a rule about a value never given.
    await expect(summary.getByRole('link', { name: 'Choose a cloud' })).toHaveAttribute('href', '#cloud');
    await expect(summary).not.toContainText('Cloud must be AWS, Azure or GCP');
    await axeOn(page, '[data-testid="error-summary"]');
    await fitsWidth(page, '[data-testid="error-summary"]');
    await page.screenshot({ path: testInfo.outputPath(`summary-${viewport.width}.png`), fullPage: false });

    await summary.getByRole('link', { name: 'Choose a cloud' }).click();
    await expect(page.getByRole('radio', { name: /^AWS/ })).toBeFocused();
    await summary.getByRole('link', { name: /^Justification is required/ }).click();
    await expect(page.locator('#justification')).toBeFocused();
    await summary.getByRole('link', { name: /^Enter the ServiceNow ticket number/ }).click();
    await expect(page.locator('#ticket')).toBeFocused();

    // Typing changes the message to what the field holds now, in the summary and by the field.
    await page.locator('#justification').fill('short');
    const message = 'Justification is too short: write at least 10 characters (it has 5)';
    await expect(page.locator('#justification-error')).toHaveText(message);
    await expect(summary.getByRole('link', { name: message })).toBeVisible();
    await page.locator('#justification').fill(justification);
    await expect(page.locator('#justification-error')).toBeHidden();
    await expect(summary).not.toContainText('Justification');
    await page.locator('#ticket').fill('INC1234567');
    // What is left is what is still wrong: the cloud.
    await expect(summary.getByRole('listitem')).toHaveText(['Choose a cloud']);
    expect(errors).toEqual([]);
  });
}

test('the schedule asks for the start after "Later" and for the end after "Until an end time"', async ({ page }) => {
  await signInToForm(page, 'Alex Wilber');
  await page.getByRole('radio', { name: /^AWS/ }).check();
  const summary = page.getByTestId('schedule-summary');
  await expect(summary).toContainText('lasts 1 hour');
  await page.getByRole('radio', { name: 'Later' }).check();
  await expect(summary).toContainText('Enter the date and time access starts');
  await expect(summary).not.toContainText('Starts as soon as it is approved');
  await page.getByRole('radio', { name: 'As soon as it is approved' }).check();
  await page.getByRole('radio', { name: 'Until an end time' }).check();
  await expect(summary).toContainText('Enter the date and time access ends');
  await expect(summary).not.toContainText('Enter a duration');
  // Nothing is sent as a duration then.
  await expect(page.getByTestId('duration-sent')).toBeHidden();
});

test('a requester types 90m and sees PT1H30M sent, in the form, the review and the request page', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInToForm(page, 'Alex Wilber');
  await page.getByRole('radio', { name: /^AWS/ }).check();
  await page.getByRole('radio', { name: /development/ }).check();
  await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
  await page.getByLabel('Role to assign to').selectOption('arn:aws:iam::956987887735:role/saml-user');
  await page.getByLabel('Search by name or id').fill('ReadOnlyAccess');
  await page.getByRole('checkbox', { name: /^ReadOnlyAccess/ }).check();

  // The presets are the cloud's (its maximum is a day): 1 hour to 1 day, as radios.
  for (const preset of ['1 hour', '4 hours', '8 hours', '1 day']) {
    await expect(page.getByRole('radio', { name: preset, exact: true })).toBeVisible();
  }
  await expect(page.getByTestId('duration-sent')).toHaveText('Sent as PT1H (1 hour)');
  // With the keyboard: arrows move through the presets and choose as they go.
  await tabTo(page, page.getByRole('radio', { name: '1 hour', exact: true }));
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: '4 hours', exact: true })).toBeChecked();
  await expect(page.getByTestId('duration-sent')).toHaveText('Sent as PT4H (4 hours)');
  await page.getByRole('radio', { name: 'Custom duration' }).check();
  const custom = page.getByLabel('Duration, such as 2h, 90m, 1h30m or 1 day');
  await custom.fill('90m');
  await expect(page.getByTestId('duration-sent')).toHaveText('Sent as PT1H30M (1 hour and 30 minutes)');
  await expect(page.getByTestId('schedule-summary')).toContainText('lasts 1 hour and 30 minutes');
  await custom.fill('2 days');
  await expect(page.getByTestId('schedule-summary')).toContainText('Access can last at most 1 day in this cloud');
  await custom.fill('90m');
  await step(page, testInfo, 5, 'schedule-90m');

  await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
  await page.getByLabel(/ServiceNow ticket number/).fill(newTicket());
  await page.getByRole('button', { name: 'Review the request' }).click();
  await expect(page.getByTestId('graph-json')).toContainText('"duration": "PT1H30M"');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const panel = page.locator('details', { has: page.locator('summary', { hasText: 'Microsoft Graph' }) });
  await expect(panel.locator('summary')).toHaveText('The JSON to send to Microsoft Graph once approved');
  await expect(panel.locator('pre')).toContainText('"duration": "PT1H30M"');
  expect(errors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the plain form reviewed with mistakes focuses the server-rendered summary, whose links reach the fields', async ({ page }, testInfo) => {
    await signInToForm(page, 'Alex Wilber', { hydrated: false });
    await page.getByRole('radio', { name: /^AWS/ }).check();
    await page.getByRole('radio', { name: 'Custom duration' }).check();
    await page.getByLabel('Duration, such as 2h, 90m, 1h30m or 1 day').fill('2h');
    await page.getByLabel('Justification (required, 10 to 1000 characters)').fill('short');
    await page.getByRole('button', { name: 'Review the request' }).click();

    await expect(page).toHaveURL(/#outcome$/);
    const summary = page.getByTestId('error-summary');
    await expect(summary).toBeVisible();
    expect(await isFocused(page, '[data-testid="error-summary"]')).toBe(true);
    await expect(summary.getByRole('heading', { level: 2 })).toHaveText('There is a problem');
    await expect(page).toHaveTitle(/^Error: Request access/);
    await expect(summary).toContainText('Justification is too short: write at least 10 characters (it has 5)');
    // What was typed as people type it is read, and shown as what is sent.
    await expect(page.getByTestId('duration-sent')).toHaveText('Sent as PT2H (2 hours)');
    await page.screenshot({ path: testInfo.outputPath('plain-summary.png'), fullPage: true });
    await summary.getByRole('link', { name: /^Justification is too short/ }).click();
    await expect(page).toHaveURL(/#justification$/);
    expect(await isFocused(page, '#justification')).toBe(true);
  });
});

test('high privilege and another identity are said in words on the review, the inbox card and the request page', async ({ browser, page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInToForm(page, 'Alex Wilber');
  await page.getByRole('radio', { name: /^AWS/ }).check();
  await page.getByRole('radio', { name: /development/ }).check();
  await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
  await page.getByLabel('Role to assign to').selectOption('arn:aws:iam::956987887735:role/saml-user');
  await page.getByLabel('Search by name or id').fill('AdministratorAccess');
  await page.getByRole('checkbox', { name: /^AdministratorAccess/ }).check();
  await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
  await page.getByLabel(/ServiceNow ticket number/).fill(newTicket());
  await page.getByRole('button', { name: 'Review the request' }).click();
  const flag = page.getByTestId('high-privilege');
  await expect(flag).toContainText('High privilege');
  await expect(flag).toContainText('arn:aws:iam::aws:policy/AdministratorAccess: an administrator-like AWS policy');
  await axeOn(page, '[data-testid="high-privilege"]');
  await page.screenshot({ path: testInfo.outputPath('review-high-privilege.png'), fullPage: true });

  // Asked for through the plain form for another person's identity: both flags reach the approver.
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const id = await ask(alex, newTicket(), {
    what: 'aws_policies',
    item: 'arn:aws:iam::aws:policy/IAMFullAccess',
    identity: 'user:rsn:patti@contoso.com',
  });
  const megan = await signedIn(browser, 'Megan Bowen', errors, { width: 390, height: 844 });
  await megan.goto('/approvals');
  const item = megan.locator(`[data-request="${id}"]`);
  await expect(item.getByTestId('high-privilege')).toContainText('IAMFullAccess: an administrator-like AWS policy');
  await expect(item.getByTestId('other-identity')).toContainText("not the requester's own");
  // Never approved with others at once.
  await expect(item.getByRole('checkbox')).toHaveCount(0);
  await axeOn(megan, `[data-request="${id}"] [data-testid="high-privilege"]`);
  await fitsWidth(megan, `[data-request="${id}"] [data-testid="high-privilege"]`);
  await megan.goto(`/requests/${id}`);
  await expect(megan.getByTestId('high-privilege')).toContainText('IAMFullAccess');
  await megan.screenshot({ path: testInfo.outputPath('request-page-high-privilege.png'), fullPage: true });
  expect(errors).toEqual([]);
});
