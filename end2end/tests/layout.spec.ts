import { test, expect, Browser, Page, TestInfo } from '@playwright/test';
import { ask, axe, justification, newTicket } from './support';

// Every page a person can reach, at a phone's width (390×844) and a laptop's (1280×800): nothing
// scrolls sideways, axe finds nothing serious, and a full-page screenshot of each is attached to the
// test report, so the layouts can be looked at page by page.

const viewports = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'laptop', width: 1280, height: 800 },
] as const;

/** The page as it is now: no wider than the window, axe-clean, photographed into the report. */
async function check(page: Page, testInfo: TestInfo, name: string) {
  await page.waitForLoadState('load');
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: (document.scrollingElement ?? document.documentElement).scrollWidth,
    innerWidth: window.innerWidth,
  }));
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  // The widest element, named, so a failure says where to look.
  const widest = scrollWidth > innerWidth
    ? await page.evaluate((w) => {
      const over = [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > w + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} (${Math.round(e.getBoundingClientRect().right)} px)`);
      return over.slice(0, 8).join(', ');
    }, innerWidth)
    : '';
  expect(scrollWidth, `${name} (${page.url()}) is ${scrollWidth} px wide in ${innerWidth}: ${widest}`).toBeLessThanOrEqual(innerWidth);
  await axe(page);
}

async function person(browser: Browser, who: string, viewport: { width: number; height: number }, errors: string[]): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
  await page.goto('/auth/login');
  await page.getByRole('button', { name: `Sign in as ${who}` }).click();
  await expect(page.getByTestId('viewer-name')).toHaveText(who);
  return page;
}

/** The interactive form from its first step. */
async function freshForm(page: Page) {
  await page.goto('/requests/new');
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
}

for (const vp of viewports) {
  test.describe(`at ${vp.width}×${vp.height}`, () => {
    test.use({ viewport: { width: vp.width, height: vp.height } });
    // Each test here walks several pages as several people and runs axe on every one: on a shared
    // 2-core machine under load that takes longer than the default 30 s budget (seen: 32 s).
    test.describe.configure({ timeout: 90_000 });

    test('the pages for someone signed out', async ({ page }, testInfo) => {
      await page.goto('/');
      await check(page, testInfo, `${vp.name}-home-signed-out`);
      await page.goto('/auth/login');
      await check(page, testInfo, `${vp.name}-sign-in`);
      await page.goto('/signed-out');
      await check(page, testInfo, `${vp.name}-signed-out`);
      await page.goto('/no-such-page');
      await check(page, testInfo, `${vp.name}-not-found`);
    });

    test('the request form at each step in every cloud, the review and the request page', async ({ browser }, testInfo) => {
      test.setTimeout(120_000);
      const errors: string[] = [];
      const page = await person(browser, 'Alex Wilber', vp, errors);
      await check(page, testInfo, `${vp.name}-home-signed-in`);

      await freshForm(page);
      await check(page, testInfo, `${vp.name}-form-empty`);

      // AWS: an account, the person's own identity, a policy on a role (long ARNs).
      await page.getByRole('radio', { name: /^AWS/ }).check();
      await check(page, testInfo, `${vp.name}-form-aws-cloud`);
      await page.getByRole('radio', { name: /development/ }).check();
      await check(page, testInfo, `${vp.name}-form-aws-system`);
      await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
      await check(page, testInfo, `${vp.name}-form-aws-identity`);
      await page.getByLabel('Role to assign to').selectOption('arn:aws:iam::956987887735:role/saml-user');
      await page.getByLabel('Search by name or id').fill('ReadOnlyAccess');
      await page.getByRole('checkbox', { name: /^ReadOnlyAccess/ }).check();
      await check(page, testInfo, `${vp.name}-form-aws-policy`);
      await page.getByRole('radio', { name: /^Statements/ }).check();
      await page.getByLabel('Search actions').fill('s3:GetObject');
      await page.getByRole('checkbox', { name: /^s3:GetObject normal/ }).check();
      await check(page, testInfo, `${vp.name}-form-aws-statement`);

      // Azure: a subscription, a role definition on a resource group (a long resource id).
      await freshForm(page);
      await page.getByRole('radio', { name: /^Azure/ }).check();
      await page.getByRole('radio', { name: /Contoso Production/ }).check();
      await check(page, testInfo, `${vp.name}-form-azure-system`);
      await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
      await page.getByLabel('Scope (resourceId)').selectOption('/subscriptions/87eefd90-95a3-480a-ba42-56ff299a05ee/resourceGroups/rg-orders-prod');
      await page.getByLabel('Search by name or id').fill('Storage Operator');
      await page.getByRole('checkbox', { name: /^Contoso Storage Operator/ }).check();
      await check(page, testInfo, `${vp.name}-form-azure-role`);

      // GCP: a project, actions, then a role by its title (what is reviewed and sent).
      await freshForm(page);
      await page.getByRole('radio', { name: /^GCP/ }).check();
      await page.getByRole('radio', { name: /ck-staging/ }).check();
      await check(page, testInfo, `${vp.name}-form-gcp-system`);
      await page.getByRole('radio', { name: /Alex Wilber \(you\)/ }).check();
      await page.getByRole('radio', { name: 'Actions (permissions) on the project' }).check();
      await page.getByLabel('Search actions').fill('storage.buckets.get');
      await page.getByRole('checkbox', { name: /^storage\.buckets\.get normal/ }).check();
      await check(page, testInfo, `${vp.name}-form-gcp-actions`);
      await page.getByRole('radio', { name: 'Roles on the project' }).check();
      await page.getByLabel('Search by name or id').fill('Storage Admin');
      await page.getByRole('checkbox', { name: /^Storage Admin/ }).check();
      await expect(page.getByTestId('chosen-items')).toContainText('Storage Admin');
      await check(page, testInfo, `${vp.name}-form-gcp-roles`);

      // Schedule, why, an error summary, then the review and the request's page.
      await page.getByRole('radio', { name: 'Custom duration' }).check();
      await page.getByLabel('Duration, such as 2h, 90m, 1h30m or 1 day').fill('90m');
      await page.getByLabel('Justification (required, 10 to 1000 characters)').fill('short');
      await page.getByRole('button', { name: 'Review the request' }).click();
      await expect(page.getByTestId('error-summary')).toBeVisible();
      await check(page, testInfo, `${vp.name}-form-error-summary`);
      await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
      await page.getByLabel(/ServiceNow ticket number/).fill(newTicket());
      await page.getByRole('button', { name: 'Review the request' }).click();
      await expect(page.getByTestId('review')).toContainText('the GCP role Storage Admin');
      await check(page, testInfo, `${vp.name}-form-review`);
      await page.getByRole('button', { name: 'Submit request' }).click();
      await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
      await expect(page.getByTestId('request-status')).toHaveText('waiting for approval');
      await check(page, testInfo, `${vp.name}-request-page`);

      await page.goto('/requests');
      await expect(page.getByTestId('my-request').first()).toBeVisible();
      await check(page, testInfo, `${vp.name}-my-requests`);
      expect(errors).toEqual([]);
    });

    test('the request form for a Microsoft Entra role: its policy in the browser, the review and the request page', async ({ browser }, testInfo) => {
      test.setTimeout(120_000);
      const errors: string[] = [];
      const page = await person(browser, 'Alex Wilber', vp, errors);
      await freshForm(page);
      await page.getByRole('radio', { name: /^Microsoft Entra roles/ }).check();
      await expect(page.getByRole('radio', { name: /^Helpdesk Administrator in Seattle office/ })).toBeVisible();
      await check(page, testInfo, `${vp.name}-form-entra-roles`);

      // Security Reader allows 4 hours and needs a ticket: the browser says both before asking the server.
      await page.getByRole('radio', { name: /^Security Reader in Directory/ }).check();
      await expect(page.getByTestId('entra-policy')).toContainText('At most 4 hours at a time. Needs a ticket.');
      await expect(page.getByTestId('entra-for')).toContainText('For yourself, alex@contoso.com');
      await page.getByRole('radio', { name: 'Custom duration' }).check();
      await page.getByLabel('Duration, such as 2h, 90m, 1h30m or 1 day').fill('5h');
      await page.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
      await expect(page.getByTestId('ticket-required')).toHaveText("(required by the role's policy)");
      await page.getByRole('button', { name: 'Review the request' }).click();
      const summary = page.getByTestId('error-summary');
      await expect(summary).toContainText('Security Reader can be active for at most 4 hours at a time');
      await expect(summary).toContainText('The PIM policy of Security Reader needs a ticket');
      await check(page, testInfo, `${vp.name}-form-entra-policy-errors`);

      // User Administrator for 2 hours needs no ticket.
      await page.getByRole('radio', { name: /^User Administrator in Directory/ }).check();
      await expect(page.getByTestId('entra-policy')).toContainText('At most 8 hours at a time. No ticket needed.');
      await page.getByLabel('Duration, such as 2h, 90m, 1h30m or 1 day').fill('2h');
      await page.getByRole('button', { name: 'Review the request' }).click();
      await expect(page.getByTestId('review')).toContainText('the Microsoft Entra role User Administrator in Directory');
      await expect(page.getByTestId('graph-json')).toContainText('"action": "selfActivate"');
      await check(page, testInfo, `${vp.name}-form-entra-review`);
      await page.getByRole('button', { name: 'Submit request' }).click();
      await expect(page).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
      await expect(page.getByTestId('request-status')).toHaveText('waiting for approval');
      await check(page, testInfo, `${vp.name}-entra-request-page`);
      expect(errors).toEqual([]);
    });

    test('the plain form for a Microsoft Entra role, before the application loads, and its review', async ({ page }, testInfo) => {
      await page.route('**/pkg/*/app.{js,wasm}', (route) => route.abort());
      await page.goto('/auth/login');
      await page.getByRole('button', { name: 'Sign in as Alex Wilber' }).click();
      await expect(page.getByTestId('viewer-name')).toHaveText('Alex Wilber');
      await page.goto('/requests/new?cloud=entra#step-2');
      await expect(page.getByRole('radio', { name: /^Helpdesk Administrator in Seattle office/ })).toBeVisible();
      await check(page, testInfo, `${vp.name}-plain-entra-roles`);
      const fields = new URLSearchParams({
        cloud: 'entra',
        entra_role: 'fe930be7-5e62-47db-91af-98c3a49a38b1:/',
        start: 'now',
        length: 'custom',
        custom_duration: '2h',
        justification,
        approver: 'megan@contoso.com',
        review: '1',
      });
      await page.goto(`/requests/new?${fields}`);
      await expect(page.getByTestId('review')).toContainText('the Microsoft Entra role User Administrator in Directory');
      await expect(page.getByTestId('entra-policy')).toContainText('At most 8 hours at a time. No ticket needed.');
      await check(page, testInfo, `${vp.name}-plain-entra-review`);
    });

    test('the plain form, before the application loads, reviewed with a long ARN and a problem', async ({ page }, testInfo) => {
      // The server's page alone (no bundle): its Continue buttons, and the review it renders.
      await page.route('**/pkg/*/app.{js,wasm}', (route) => route.abort());
      await page.goto('/auth/login');
      await page.getByRole('button', { name: 'Sign in as Alex Wilber' }).click();
      await expect(page.getByTestId('viewer-name')).toHaveText('Alex Wilber');
      const fields = new URLSearchParams({
        cloud: 'aws',
        system: '956987887735',
        identity: 'user:rsn:alex@contoso.com',
        what: 'aws_policies',
        role: 'arn:aws:iam::956987887735:role/saml-user',
        item: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        start: 'now',
        length: 'PT1H',
        justification,
        ticket: newTicket(),
        approver: 'megan@contoso.com',
        review: '1',
      });
      await page.goto(`/requests/new?${fields}`);
      await expect(page.getByTestId('review')).toContainText('ReadOnlyAccess');
      await check(page, testInfo, `${vp.name}-plain-review`);
      fields.set('justification', 'short');
      await page.goto(`/requests/new?${fields}`);
      await expect(page.getByTestId('error-summary')).toBeVisible();
      await check(page, testInfo, `${vp.name}-plain-error-summary`);
    });

    test('the approver’s inbox and a decided request with its history', async ({ browser }, testInfo) => {
      const errors: string[] = [];
      const alex = await person(browser, 'Alex Wilber', vp, errors);
      const id = await ask(alex, newTicket());
      // A request for someone else's identity, with an administrator policy: both flags on the card.
      await ask(alex, newTicket(), {
        what: 'aws_policies',
        item: 'arn:aws:iam::aws:policy/IAMFullAccess',
        identity: 'user:rsn:patti@contoso.com',
      });
      const megan = await person(browser, 'Megan Bowen', vp, errors);
      await megan.goto('/approvals');
      const item = megan.locator(`[data-request="${id}"]`);
      await expect(item).toBeVisible();
      await check(megan, testInfo, `${vp.name}-approvals`);
      await item.getByRole('button', { name: 'Approve', exact: true }).click();
      await expect(item).toHaveCount(0);

      await megan.goto(`/requests/${id}`);
      await expect(megan.getByTestId('request-status')).toHaveText('submitted');
      await expect(megan.getByTestId('request-history')).toContainText('Megan Bowen');
      await check(megan, testInfo, `${vp.name}-request-history`);
      expect(errors).toEqual([]);
    });

    test('the auditor’s pages: the list, Access now, charts and a report', async ({ browser }, testInfo) => {
      const errors: string[] = [];
      const alex = await person(browser, 'Alex Wilber', vp, errors);
      const ticket = newTicket();
      const id = await ask(alex, ticket);
      const adele = await person(browser, 'Adele Vance', vp, errors);
      await adele.goto('/audit');
      await expect(adele.getByTestId('audit-item').first()).toBeVisible();
      await check(adele, testInfo, `${vp.name}-audit`);
      await adele.goto('/audit/active');
      await check(adele, testInfo, `${vp.name}-access-now`);
      await adele.goto('/audit/charts');
      await check(adele, testInfo, `${vp.name}-charts`);
      await adele.goto(`/audit/requests/${id}/report`);
      await check(adele, testInfo, `${vp.name}-report`);
      await adele.goto(`/requests/${id}`);
      await check(adele, testInfo, `${vp.name}-request-as-auditor`);
      expect(errors).toEqual([]);
    });

    test('the administrator’s page', async ({ browser }, testInfo) => {
      const errors: string[] = [];
      const patti = await person(browser, 'Patti Fernandez', vp, errors);
      await check(patti, testInfo, `${vp.name}-home-admin`);
      await patti.goto('/admin');
      await check(patti, testInfo, `${vp.name}-admin`);
      expect(errors).toEqual([]);
    });
  });
}
