import { test, expect, Page } from '@playwright/test';
import { axe, justification, localDateTime, newTicket, signInToForm } from './support';

// Nothing typed is lost (issue 15): a reload brings the whole form back, a change of kind sets the
// other kind's choices aside instead of dropping them, and leaving a changed form asks first.

const DRAFT_KEY = 'access-portal.request-draft.v1';
const draft = (page: Page) => page.evaluate((key) => sessionStorage.getItem(key), DRAFT_KEY);

/** GCP, the ck-staging project, Alex's own identity, and the roles kind. */
async function gcpRoles(page: Page) {
  await page.getByRole('radio', { name: /^GCP/ }).check();
  await page.getByRole('radio', { name: /ck-staging/ }).check();
  await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
  await expect(page.getByRole('radio', { name: 'Roles on the project' })).toBeChecked();
}

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`a reload mid-form brings back every field, the names and the step (${viewport.width} px)`, async ({ page }, testInfo) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.type()); void d.accept(); });
    await page.setViewportSize(viewport);
    await signInToForm(page, 'Alex Wilber');

    await gcpRoles(page);
    await page.getByLabel('Search by name or id').fill('Storage Admin');
    await page.getByRole('checkbox', { name: /^Storage Admin/ }).check();
    await page.getByRole('radio', { name: 'Later' }).check();
    const start = localDateTime(2, '09:30', 'UTC');
    await page.getByRole('textbox', { name: 'Start', exact: true }).fill(start);
    await page.getByRole('radio', { name: 'Custom duration' }).check();
    await page.getByLabel('Duration, such as 2h, 90m, 1h30m or 1 day').fill('90m');
    const typed = `${justification} <b>"as typed"</b>`;
    await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(typed);
    await page.getByLabel('Notes (optional)').fill('Second line\nof notes');
    // The ticket is left half-typed, and the person is in step 6 when the page reloads.
    await page.getByLabel(/ServiceNow ticket number/).fill('INC12');
    await expect.poll(() => draft(page)).toContain('INC12');

    await page.reload();
    await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
    await expect(page.getByTestId('draft-restored')).toContainText('What you typed before the page reloaded is back');
    // The step the person was in is on screen.
    await expect(page.locator('#step-6')).toBeInViewport();
    await expect(page.getByRole('radio', { name: /^GCP/ })).toBeChecked();
    await expect(page.getByRole('radio', { name: /ck-staging/ })).toBeChecked();
    await expect(page.getByTestId('chosen-identity')).toContainText('Alex Wilber');
    await expect(page.getByRole('radio', { name: 'Roles on the project' })).toBeChecked();
    await expect(page.getByLabel('Search by name or id')).toHaveValue('Storage Admin');
    // The chosen role by its name, as before the reload, with its id beneath.
    const chosen = page.getByTestId('chosen-items');
    await expect(chosen.locator('.item-name')).toHaveText(['Storage Admin']);
    await expect(chosen.locator('.item-id')).toHaveText(['roles/storage.admin']);
    await expect(page.getByRole('radio', { name: 'Later' })).toBeChecked();
    await expect(page.getByRole('textbox', { name: 'Start', exact: true })).toHaveValue(start);
    await expect(page.getByRole('radio', { name: 'Custom duration' })).toBeChecked();
    await expect(page.getByLabel('Duration, such as 2h, 90m, 1h30m or 1 day')).toHaveValue('90m');
    await expect(page.getByLabel('Justification (required, 10 to 1000 characters)')).toHaveValue(typed);
    await expect(page.getByLabel('Notes (optional)')).toHaveValue('Second line\nof notes');
    await expect(page.getByLabel(/ServiceNow ticket number/)).toHaveValue('INC12');
    await axe(page);
    await page.screenshot({ path: testInfo.outputPath(`restored-${viewport.width}.png`), fullPage: true });

    // The restored form is the form: finished, reviewed and sent as it stands.
    await page.getByLabel(/ServiceNow ticket number/).fill(newTicket());
    await page.getByRole('button', { name: 'Review the request' }).click();
    await expect(page.getByTestId('review')).toContainText('the GCP role Storage Admin');
    await expect(page.getByTestId('graph-json')).toContainText('"PT1H30M"');
    await expect(page.getByTestId('graph-json')).toContainText('<b>\\"as typed\\"</b>');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
    // Made: the draft is gone, and a new form starts empty.
    expect(await draft(page)).toBeNull();
    await page.goto('/requests/new');
    await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
    await expect(page.getByRole('radio', { name: /^GCP/ })).not.toBeChecked();
    await expect(page.getByTestId('draft-restored')).toBeEmpty();
    expect(errors).toEqual([]);
  });
}

test('switching GCP from roles to actions sets the role aside in words, and switching back brings it back', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInToForm(page, 'Alex Wilber');
  await gcpRoles(page);
  await page.getByLabel('Search by name or id').fill('Storage Admin');
  await page.getByRole('checkbox', { name: /^Storage Admin/ }).check();
  const chosen = page.getByTestId('chosen-items');
  const aside = page.getByTestId('set-aside');
  await expect(aside).toBeEmpty();

  await page.getByRole('radio', { name: 'Actions (permissions) on the project' }).check();
  await expect(chosen.locator('li')).toHaveCount(0);
  await expect(aside).toHaveText('Not sent, but kept in case you switch back: 1 role under “Roles on the project”.');
  await page.getByLabel('Search actions').fill('storage.buckets.get');
  await page.getByRole('checkbox', { name: /^storage\.buckets\.get normal/ }).check();
  await expect(chosen).toContainText('storage.buckets.get');

  await page.getByRole('radio', { name: 'Roles on the project' }).check();
  await expect(chosen.locator('.item-name')).toHaveText(['Storage Admin']);
  await expect(chosen).not.toContainText('storage.buckets.get');
  await expect(aside).toHaveText('Not sent, but kept in case you switch back: 1 action under “Actions (permissions) on the project”.');

  // Only the kind on show is sent.
  await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
  await page.getByLabel(/ServiceNow ticket number/).fill(newTicket());
  await page.getByRole('button', { name: 'Review the request' }).click();
  const json = page.getByTestId('graph-json');
  await expect(json).toContainText('roles/storage.admin');
  await expect(json).not.toContainText('storage.buckets.get');

  // Set aside survives a reload too, and the actions come back by switching.
  await page.reload();
  await expect(page.getByTestId('draft-restored')).not.toBeEmpty();
  await expect(aside).toContainText('1 action under');
  await page.getByRole('radio', { name: 'Actions (permissions) on the project' }).check();
  await expect(chosen).toContainText('storage.buckets.get');

  // "Start over": the draft goes and the page loads afresh, empty.
  page.on('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Start over with an empty form' }).click();
  await expect(page.getByRole('radio', { name: /^GCP/ })).not.toBeChecked();
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expect(page.getByTestId('draft-restored')).toBeEmpty();
  await expect(page.getByLabel('Justification (required, 10 to 1000 characters)')).toHaveValue('');
  expect(await draft(page)).toBeNull();
  expect(errors).toEqual([]);
});

test('leaving a changed form asks first, staying keeps it, and an untouched form never asks', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signInToForm(page, 'Alex Wilber');
  const myRequests = page.getByTestId('my-requests-link');
  const asked: string[] = [];

  // Untouched: the header's links go at once.
  page.on('dialog', (d) => { asked.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
  await myRequests.click();
  await expect(page).toHaveURL(/\/requests$/);
  expect(asked).toEqual([]);

  await page.goto('/requests/new');
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  const why = page.getByLabel('Justification (required, 10 to 1000 characters)');
  await why.fill(justification);
  // Staying: the answer "Cancel" keeps the person on the form with what they typed.
  await myRequests.click();
  await expect.poll(() => asked.length).toBe(1);
  expect(asked[0]).toBe('confirm: Leave this page? Your request has not been sent, and what you typed in the form will be lost.');
  await expect(page).toHaveURL(/\/requests\/new$/);
  await expect(why).toHaveValue(justification);
  // The same from the brand link, a full page: still asked.
  await page.getByRole('link', { name: 'Access Portal' }).click();
  await expect.poll(() => asked.length).toBe(2);
  await expect(why).toHaveValue(justification);

  // A reload or a closed tab: the browser's own prompt.
  page.removeAllListeners('dialog');
  page.on('dialog', (d) => { asked.push(d.type()); void d.accept(); });
  await page.reload();
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  expect(asked).toContain('beforeunload');
  await expect(why).toHaveValue(justification);

  // Leaving: "OK" goes, and the draft goes with it.
  await myRequests.click();
  await expect(page).toHaveURL(/\/requests$/);
  expect(await draft(page)).toBeNull();
  expect(errors).toEqual([]);
});
