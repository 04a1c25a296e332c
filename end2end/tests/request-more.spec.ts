import { test, expect } from '@playwright/test';
import { finish, justification, localDateTime, signInToForm, step } from './support';

// The request form beyond the three basic journeys: without JavaScript, several AWS statements,
// asking again, and a repeating schedule in the person's own time zone.

// The plain-form journey twice: with JavaScript off in the browser, and with JavaScript on but the
// application's bundle never arriving (a slow or failed load), where axe can run on every step.
for (const mode of ['without JavaScript', 'before the application loads'] as const) {
test.describe(mode, () => {
  if (mode === 'without JavaScript') test.use({ javaScriptEnabled: false });

  test('a requester asks for an AWS policy with plain form posts and lands on the request page', async ({ page }, testInfo) => {
    if (mode === 'before the application loads') {
      await page.route('**/pkg/*/app.{js,wasm}', (route) => route.abort());
    }
    await signInToForm(page, 'Alex Wilber', { hydrated: false });
    // Axe is a script in the page: it runs where scripts do; without them each step is photographed.
    const shot = (n: number, name: string) => mode === 'without JavaScript'
      ? page.screenshot({ path: testInfo.outputPath(`${n}-${name}.png`), fullPage: true })
      : step(page, testInfo, n, name);
    const proceed = (n: number, name = 'Continue') => page.locator(`#step-${n}`).getByRole('button', { name, exact: true }).click();

    await shot(1, 'cloud');
    await page.getByRole('radio', { name: /^AWS/ }).check();
    await proceed(1);
    await expect(page).toHaveURL(/cloud=aws/);
    await expect(page.getByRole('radio', { name: /^AWS/ })).toBeChecked();
    await expect(page.getByRole('radio', { name: /staging/ })).toBeDisabled();
    await page.getByRole('radio', { name: /development/ }).check();
    await shot(2, 'system');
    await proceed(2);

    await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
    await shot(3, 'identity');
    await proceed(3);
    await expect(page.getByTestId('chosen-identity')).toContainText('rsn:alex@contoso.com');

    await page.getByLabel('Role to assign to').selectOption('arn:aws:iam::956987887735:role/saml-user');
    await page.getByLabel('Search by name or id').fill('ReadOnlyAccess');
    await proceed(4, 'Search');
    await page.getByRole('checkbox', { name: /^ReadOnlyAccess/ }).check();
    await proceed(4);
    // The choice survived the round trip, and so did the role.
    await expect(page.getByTestId('chosen-items')).toContainText('arn:aws:iam::aws:policy/ReadOnlyAccess');
    await expect(page.getByLabel('Role to assign to')).toHaveValue('arn:aws:iam::956987887735:role/saml-user');
    await shot(4, 'what');

    await page.getByRole('radio', { name: '4 hours' }).check();
    await shot(5, 'schedule');
    await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
    // A wrong ticket first: the review shows the error by its field, and nothing typed is lost.
    await page.getByLabel(/ServiceNow ticket number/).fill('TICKET-1');
    await shot(6, 'why');
    await page.getByRole('button', { name: 'Review the request' }).click();
    await expect(page.locator('#ticket-error')).toBeVisible();
    await expect(page.getByTestId('review')).toHaveCount(0);
    await expect(page.getByLabel('Justification (required, 10 to 1000 characters)')).toHaveValue(justification);
    await expect(page.getByRole('radio', { name: '4 hours' })).toBeChecked();

    await page.getByLabel(/ServiceNow ticket number/).fill('INC7654321');
    await page.getByRole('button', { name: 'Review the request' }).click();
    await expect(page.getByTestId('review')).toContainText('4 hours');
    await shot(7, 'review');
    await page.getByRole('button', { name: 'Submit request' }).click();

    await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId('request-status')).toHaveText('waiting for approval');
    await expect(page.getByTestId('request-review')).toContainText('INC7654321');
    // The page cannot update by itself here: it offers a reload, which works.
    await expect(page.getByTestId('reload-hint')).toBeVisible();
    await page.getByTestId('reload-hint').getByRole('link', { name: 'Reload' }).click();
    await expect(page.getByTestId('request-status')).toHaveText('waiting for approval');
    await page.screenshot({ path: testInfo.outputPath('8-request-page.png'), fullPage: true });
  });
});
}

test('a requester adds two AWS statements, submits, then asks again from the request page', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInToForm(page, 'Alex Wilber');

  // Interactive now: the steps need no Continue.
  await expect(page.locator('#step-1').getByRole('button', { name: 'Continue' })).toBeHidden();
  await page.getByRole('radio', { name: /^AWS/ }).check();
  await page.getByRole('radio', { name: /development/ }).check();
  await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
  await page.getByRole('radio', { name: /^Statements/ }).check();
  await page.getByLabel('Role to assign to').selectOption('arn:aws:iam::956987887735:role/saml-user');

  // First statement: read objects anywhere.
  await page.getByLabel('Search actions').fill('s3:GetObject');
  await page.getByRole('checkbox', { name: /^s3:GetObject normal/ }).check();
  await page.getByRole('button', { name: 'Add this statement and start another' }).click();
  await expect(page.getByTestId('statements')).toContainText('Allow s3:GetObject on *');
  await expect(page.getByTestId('chosen-items')).toBeEmpty();

  // Second: deny deleting them in one bucket. A delete action is flagged.
  await page.getByLabel('Search actions').fill('s3:DeleteObject');
  const del = page.getByRole('checkbox', { name: /^s3:DeleteObject / });
  await expect(del).toBeVisible();
  await del.check();
  await expect(page.getByTestId('chosen-items')).toContainText('delete');
  await page.getByLabel('Resources (one ARN per line, * for all)').fill('arn:aws:s3:::orders-artifacts/*');
  await page.getByLabel('Effect').selectOption('deny');
  await step(page, testInfo, 4, 'statements');

  await finish(page, testInfo, 'CHG0004321');
  const review = page.getByTestId('request-review');
  await expect(review).toContainText('s3:GetObject');
  await expect(review).toContainText('s3:DeleteObject');
  const first = page.url();

  // Ask again: the form comes back filled, with both statements; only the ticket is new.
  await page.getByRole('link', { name: 'Request again' }).click();
  await expect(page).toHaveURL(/\/requests\/new\?from=/);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByTestId('chosen-identity')).toContainText('rsn:alex@contoso.com');
  await expect(page.getByTestId('statements').locator('li')).toHaveCount(2);
  await expect(page.getByLabel('Justification (required, 10 to 1000 characters)')).toHaveValue(justification);
  await page.screenshot({ path: testInfo.outputPath('9-request-again.png'), fullPage: true });
  await page.getByLabel(/ServiceNow ticket number/).fill('CHG0004322');
  await page.getByRole('button', { name: 'Review the request' }).click();
  const json = page.getByTestId('graph-json');
  await expect(json).toContainText('"effect": "deny"');
  await expect(json).toContainText('s3:GetObject');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  expect(page.url()).not.toEqual(first);
  await expect(page.getByTestId('request-review')).toContainText('CHG0004322');
  expect(errors).toEqual([]);
});

test.describe('in Los Angeles', () => {
  const timeZone = 'America/Los_Angeles';
  test.use({ timezoneId: timeZone });

  test('a requester asks for a weekly GCP role from a later start, in their own time zone', async ({ page }, testInfo) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInToForm(page, 'Alex Wilber');

    await page.getByRole('radio', { name: /^GCP/ }).check();
    await page.getByRole('radio', { name: /ck-staging/ }).check();
    await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
    await page.getByLabel('Search by name or id').fill('storage');
    await page.getByRole('checkbox').first().check();

    // The browser names its zone, beside the offset (UTC-08:00 or UTC-07:00, by daylight saving).
    await expect(page.getByTestId('timezone')).toContainText(`${timeZone} (UTC-0`);
    await page.getByRole('radio', { name: 'Later' }).check();
    await page.getByRole('textbox', { name: 'Start', exact: true }).fill(localDateTime(2, '09:00', timeZone));
    await page.getByRole('radio', { name: '8 hours' }).check();
    await page.getByLabel('Repeat').selectOption('weekly');
    await page.getByRole('checkbox', { name: 'Monday' }).check();
    await page.getByRole('checkbox', { name: 'Thursday' }).check();
    await page.getByLabel('Ends').selectOption('numbered');
    await page.getByLabel('Number of times').fill('4');
    const summary = page.getByTestId('schedule-summary');
    await expect(summary).toContainText('Every week on Monday and Thursday, for 4 occurrences');
    await expect(summary).toContainText('09:00');
    await step(page, testInfo, 5, 'schedule');

    await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
    await page.getByLabel(/ServiceNow ticket number/).fill('SCTASK0001234');
    await page.getByRole('button', { name: 'Review the request' }).click();
    const json = page.getByTestId('graph-json');
    // 09:00 in Los Angeles is 16:00 or 17:00 UTC, by daylight saving; stored and sent in UTC.
    await expect(json).toContainText(/"startDateTime": "[0-9-]+T1[67]:00:00Z"/);
    await expect(json).toContainText('"numberOfOccurrences": 4');
    await expect(json).toContainText('"thursday"');
    // Graph reads the range's dates and the weekdays in the person's zone, not in UTC.
    await expect(json).toContainText(`"recurrenceTimeZone": "${timeZone}"`);
    await step(page, testInfo, 7, 'review');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId('request-review')).toContainText('Every week on Monday and Thursday');
    expect(errors).toEqual([]);
  });
});
