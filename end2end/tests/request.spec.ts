import { test, expect } from '@playwright/test';
import { finish, signInToForm, step, tabTo } from './support';

// Asking for access, end to end: the guided form against the stand-in's inventory, ending on the
// request's own page. Each step is checked with axe and photographed.

test('a requester asks for an AWS policy on a role and lands on the request page', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInToForm(page, 'Alex Wilber');

  await page.getByRole('radio', { name: /^AWS/ }).check();
  await step(page, testInfo, 1, 'cloud');

  // The offline account is shown, disabled, with its reason.
  await expect(page.getByRole('radio', { name: /staging/ })).toBeDisabled();
  await page.getByRole('radio', { name: /development/ }).check();
  await step(page, testInfo, 2, 'system');

  // The person's own identity comes first.
  const own = page.getByRole('radio', { name: /Alex Wilber \(you\)/ });
  await own.check();
  await expect(page.getByTestId('chosen-identity')).toContainText('rsn:alex@contoso.com');
  await page.getByLabel('Search by name or external id').fill('zzz-nobody');
  await expect(page.getByText("No identities match 'zzz-nobody'")).toBeVisible();
  await page.getByLabel('Search by name or external id').fill('');
  await step(page, testInfo, 3, 'identity');

  await page.getByLabel('Role to assign to').selectOption('arn:aws:iam::956987887735:role/saml-user');
  await page.getByLabel('Search by name or id').fill('ReadOnlyAccess');
  await page.getByRole('checkbox', { name: /^ReadOnlyAccess/ }).check();
  await expect(page.getByTestId('chosen-items')).toContainText('arn:aws:iam::aws:policy/ReadOnlyAccess');
  await step(page, testInfo, 4, 'what');

  await page.getByRole('radio', { name: '4 hours' }).check();
  await expect(page.getByTestId('schedule-summary')).toContainText('lasts 4 hours');
  await step(page, testInfo, 5, 'schedule');

  await finish(page, testInfo, 'INC1234567');
  // Names first, ids beneath: the policy and the role as the inventory calls them.
  const review = page.getByTestId('request-review');
  await expect(review).toContainText('the AWS policy ReadOnlyAccess, assigned to the role saml-user');
  await expect(review.getByTestId('named-items')).toContainText('arn:aws:iam::aws:policy/ReadOnlyAccess');
  await expect(review.getByTestId('named-items')).toContainText('arn:aws:iam::956987887735:role/saml-user');
  expect(errors).toEqual([]);
});

test('a requester asks for an Azure role definition on a resource group and lands on the request page', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInToForm(page, 'Alex Wilber');

  await page.getByRole('radio', { name: /^Azure/ }).check();
  await step(page, testInfo, 1, 'cloud');
  await expect(page.getByRole('radio', { name: /Contoso Dev\/Test/ })).toBeDisabled();
  await page.getByRole('radio', { name: /Contoso Production/ }).check();
  await step(page, testInfo, 2, 'system');
  await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
  await step(page, testInfo, 3, 'identity');

  await page.getByLabel('Scope (resourceId)').selectOption('/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/rg-orders-prod');
  await page.getByLabel('Search by name or id').fill('Storage Operator');
  await page.getByRole('checkbox', { name: /^Contoso Storage Operator/ }).check();
  await step(page, testInfo, 4, 'what');
  await page.getByRole('radio', { name: '8 hours' }).check();
  await step(page, testInfo, 5, 'schedule');
  await finish(page, testInfo, 'CHG0001234');
  // The role definition by its name (not its GUID), what it is, and the GUID beneath.
  const review = page.getByTestId('request-review');
  await expect(review).toContainText('the Azure role Contoso Storage Operator on rg-orders-prod');
  const named = review.getByTestId('named-items');
  await expect(named.locator('li').first()).toContainText('Contoso Storage Operator');
  await expect(named.locator('li').first()).toContainText('custom Azure role');
  await expect(named.locator('li').first().locator('.item-id')).toHaveText('cdda3590-29a3-44f6-95f2-9f980659eb04');
  await expect(named).toContainText('/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/rg-orders-prod');
  expect(errors).toEqual([]);
});

test('a requester asks for a GCP action with the keyboard only and lands on the request page', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInToForm(page, 'Alex Wilber');

  await tabTo(page, page.getByRole('radio', { name: /^AWS/ }));
  // Arrow keys move through a radio group and choose as they go: AWS, Azure, GCP.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: /^GCP/ })).toBeChecked();
  await step(page, testInfo, 1, 'cloud');

  await tabTo(page, page.getByRole('radio', { name: /ck-staging/ }));
  await page.keyboard.press('Space');
  await expect(page.getByRole('radio', { name: /ck-staging/ })).toBeChecked();
  await step(page, testInfo, 2, 'system');

  await tabTo(page, page.getByRole('radio', { name: /Alex Wilber \(you\)/ }));
  await page.keyboard.press('Space');
  await expect(page.getByTestId('chosen-identity')).toContainText('alex@contoso.com');
  await step(page, testInfo, 3, 'identity');

  await tabTo(page, page.getByRole('radio', { name: 'Roles on the project' }));
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: 'Actions (permissions) on the project' })).toBeChecked();
  await tabTo(page, page.getByLabel('Search actions'));
  await page.keyboard.type('storage.buckets.get');
  const action = page.getByRole('checkbox', { name: /^storage\.buckets\.get normal/ });
  await expect(action).toBeVisible();
  await tabTo(page, action);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('chosen-items')).toContainText('storage.buckets.get');
  await step(page, testInfo, 4, 'what');
  await step(page, testInfo, 5, 'schedule');

  await tabTo(page, page.getByLabel('Justification (required, 10 to 1000 characters)'));
  await page.keyboard.type('Read the release bucket to compare artifacts');
  await tabTo(page, page.getByLabel(/ServiceNow ticket number/));
  await page.keyboard.type('RITM0012345');
  await step(page, testInfo, 6, 'why');
  await tabTo(page, page.getByRole('button', { name: 'Review the request' }));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('review')).toBeVisible();
  await step(page, testInfo, 7, 'review');
  await tabTo(page, page.getByRole('button', { name: 'Submit request' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('request-status')).toHaveText('waiting for approval');
  await page.screenshot({ path: testInfo.outputPath('8-request-page.png'), fullPage: true });
  expect(errors).toEqual([]);
});
