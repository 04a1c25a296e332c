import { test, expect, Page } from '@playwright/test';
import { simURL } from '../playwright.config';
import { ask, axe, newTicket, signedIn } from './support';

// Deciding on requests, end to end: Alex asks (Megan, his manager, is the approver he names), Megan
// decides from her inbox or the request's page, the submission job sends the approved request to the
// stand-in, and cancelling a submitted request reaches the stand-in too. Nestor, Megan's manager and an
// approver himself, is not this request's approver and is refused.

/** The stand-in's own record of the request with this ticket (read through its control API). */
async function inStandIn(page: Page, ticket: string): Promise<{ statusDetail: string } | undefined> {
  const response = await page.request.get(`${simURL}/_control/requests`);
  expect(response.ok()).toBe(true);
  const all: { value: { ticketId: string; statusDetail: string }[] } = await response.json();
  return all.value.find((r) => r.ticketId === ticket);
}

/** The number the header's Approvals link reads out ("Approvals, 3 waiting"). */
async function waitingInHeader(page: Page): Promise<number> {
  const label = await page.getByTestId('approvals-link').getAttribute('aria-label');
  const n = /^Approvals, (\d+|none) waiting$/.exec(label ?? '')?.[1];
  expect(n, label ?? '').toBeTruthy();
  return n === 'none' ? 0 : Number(n);
}

test('an approver opens the inbox from the header, approves, and the request reaches submitted', async ({ browser }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  const id = await ask(alex, ticket);

  const megan = await signedIn(browser, 'Megan Bowen', errors);
  // The home page says how many wait and leads to them.
  await expect(megan.getByTestId('home-approvals')).toHaveText(/\d+ requests? waits? for your decision/);
  const before = await waitingInHeader(megan);
  expect(before).toBeGreaterThan(0);
  await megan.getByRole('link', { name: `Approvals, ${before} waiting` }).click();
  await expect(megan).toHaveURL(/\/approvals$/);
  await expect(megan.getByRole('heading', { level: 1 })).toHaveText('Approvals');

  const item = megan.locator(`[data-request="${id}"]`);
  await expect(item.getByRole('heading', { level: 2 })).toContainText('Alex Wilber');
  await expect(item).toContainText('alex@contoso.com');
  await expect(item).toContainText('AWS, development');
  // The role to assign to by its name, the ARN beneath, from what was stored with the request.
  await expect(item).toContainText('assigned to the role saml-user');
  await expect(item.getByTestId('named-items')).toContainText('arn:aws:iam::956987887735:role/saml-user');
  await expect(item).toContainText(ticket);
  await expect(item).toContainText('Investigate the failed deployment');
  await expect(item).toContainText(/waiting (less than a minute|\d+ min)/);
  await expect(item.getByTestId('flagged-actions')).toHaveCount(0);
  await megan.screenshot({ path: testInfo.outputPath('1-inbox.png'), fullPage: true });

  await item.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(megan.getByTestId('inbox-said')).toHaveText(`Alex Wilber's request (${ticket}) is now approved.`);
  await expect(item).toHaveCount(0);
  await expect(megan.getByTestId('approvals-link')).toHaveAttribute(
    'aria-label',
    before === 1 ? 'Approvals, none waiting' : `Approvals, ${before - 1} waiting`,
  );

  // The submission job sends it within a second or so; the page asks again until it has.
  await megan.goto(`/requests/${id}`);
  await expect(megan.getByTestId('request-status')).toHaveText('submitted');
  await expect(megan.getByTestId('request-history')).toContainText('Megan Bowen');
  await megan.screenshot({ path: testInfo.outputPath('2-submitted.png'), fullPage: true });
  expect((await inStandIn(megan, ticket))?.statusDetail).toBeTruthy();
  expect(errors).toEqual([]);
});

test('an approver must say why they reject, and the requester reads the reason', async ({ browser }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  const id = await ask(alex, ticket);

  const megan = await signedIn(browser, 'Megan Bowen', errors);
  await megan.goto('/approvals');
  const item = megan.locator(`[data-request="${id}"]`);
  await item.getByRole('button', { name: 'Reject', exact: true }).click();
  const reason = item.getByLabel(/Why do you reject it/);
  await expect(reason).toBeFocused();
  // Empty: the browser refuses to send it.
  await item.getByRole('button', { name: 'Reject request' }).click();
  expect(await reason.evaluate((t: HTMLTextAreaElement) => t.validity.valueMissing)).toBe(true);
  await expect(item).toBeVisible();
  // Only spaces: the server refuses, and says why beside the item.
  await reason.fill('   ');
  await item.getByRole('button', { name: 'Reject request' }).click();
  await expect(item.getByRole('alert')).toHaveText('Say why you reject it: the requester reads the reason.');
  await megan.screenshot({ path: testInfo.outputPath('1-reason-refused.png'), fullPage: true });

  await reason.fill('Use the read-only role in staging instead.');
  await item.getByRole('button', { name: 'Reject request' }).click();
  await expect(item).toHaveCount(0);

  await alex.goto(`/requests/${id}`);
  await expect(alex.getByTestId('request-status')).toHaveText('rejected');
  await expect(alex.getByTestId('request-notice')).toContainText('Use the read-only role in staging instead.');
  await expect(alex.getByTestId('request-history')).toContainText('Use the read-only role in staging instead.');
  await expect(alex.getByTestId('request-actions')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a requester cancels their own waiting request from its page', async ({ browser }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const id = await ask(alex, newTicket());
  await alex.goto(`/requests/${id}`);
  await expect(alex.getByTestId('request-status')).toHaveText('waiting for approval');
  // The requester may cancel, never decide.
  await expect(alex.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);
  await expect(alex.getByRole('button', { name: 'Reject', exact: true })).toHaveCount(0);

  await alex.getByRole('button', { name: 'Cancel request' }).click();
  await expect(alex.getByText('Cancel this request?')).toBeVisible();
  // Changing one's mind closes the question and changes nothing.
  await alex.getByRole('button', { name: 'No, keep it' }).click();
  await expect(alex.getByText('Cancel this request?')).toBeHidden();
  await alex.getByRole('button', { name: 'Cancel request' }).click();
  await alex.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(alex.getByTestId('request-status')).toHaveText('cancelled');
  await expect(alex.getByTestId('action-said')).toHaveText('You cancelled it.');
  await expect(alex.getByTestId('request-actions')).toHaveCount(0);
  await expect(alex.getByTestId('request-history')).toContainText('cancelled');
  await alex.screenshot({ path: testInfo.outputPath('cancelled.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('an approver cancels a submitted request and the stand-in has it cancelled', async ({ browser }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  const id = await ask(alex, ticket);

  const megan = await signedIn(browser, 'Megan Bowen', errors);
  await megan.goto(`/requests/${id}`);
  await megan.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(megan.getByTestId('request-status')).toHaveText('submitted');
  await expect.poll(async () => (await inStandIn(megan, ticket))?.statusDetail).toMatch(/submitted|approved/);

  await megan.getByRole('button', { name: 'Cancel request' }).click();
  await megan.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(megan.getByTestId('request-status')).toHaveText('cancelled');
  await expect.poll(async () => (await inStandIn(megan, ticket))?.statusDetail).toBe('canceled');
  await megan.screenshot({ path: testInfo.outputPath('cancelled.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('another manager who is not the approver is refused the request, the decision and the inbox item', async ({ browser }) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const id = await ask(alex, newTicket());

  const nestor = await signedIn(browser, 'Nestor Wilke', errors);
  await nestor.goto(`/requests/${id}`);
  await expect(nestor.getByRole('alert')).toHaveText('You do not have access to this request.');
  await expect(nestor.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);
  await expect(nestor.getByRole('button', { name: 'Reject', exact: true })).toHaveCount(0);
  // The refusal is a page of the portal: its header, with who is signed in, stays.
  await expect(nestor.getByTestId('viewer-name')).toHaveText('Nestor Wilke');

  // Calling the server function directly, as a script on the page could, is refused as well.
  const answer = await nestor.evaluate(async (id) => {
    const r = await fetch('/api/decide_request', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, decision: { decision: 'approve' } }),
    });
    return { status: r.status, body: await r.text() };
  }, id);
  expect(answer.status, answer.body).toBe(403);

  // His own inbox does not hold Alex's request.
  await nestor.getByTestId('approvals-link').click();
  await expect(nestor).toHaveURL(/\/approvals$/);
  await expect(nestor.getByTestId('inbox-count')).toBeVisible();
  await expect(nestor.locator(`[data-request="${id}"]`)).toHaveCount(0);

  // Alex, who does not approve, is refused the inbox by a page that keeps the site's header.
  const refused = await alex.goto('/approvals');
  expect(refused?.status()).toBe(403);
  await expect(alex.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  await expect(alex.getByRole('banner').getByRole('link', { name: 'Access Portal' })).toBeVisible();
  await expect(alex.getByTestId('approvals-link')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('low-risk requests are approved together, and the inbox and a request page pass axe', async ({ browser }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const [first, second] = [newTicket(), newTicket()];
  const ids = [await ask(alex, first), await ask(alex, second)];
  // Deleting objects is risky: it is flagged by name and cannot be approved with others.
  const risky = newTicket();
  const riskyId = await ask(alex, risky, { item: 's3:DeleteObject' });

  const megan = await signedIn(browser, 'Megan Bowen', errors);
  await megan.goto('/approvals');
  const flagged = megan.locator(`[data-request="${riskyId}"]`);
  await expect(flagged.getByTestId('flagged-actions')).toContainText('s3:DeleteObject');
  await expect(flagged.getByTestId('flagged-actions')).toContainText('delete');
  await expect(flagged.getByRole('checkbox')).toHaveCount(0);
  await axe(megan);
  await megan.screenshot({ path: testInfo.outputPath('1-inbox.png'), fullPage: true });

  for (const [id, ticket] of [[ids[0], first], [ids[1], second]]) {
    await megan.getByRole('checkbox', { name: `Select Alex Wilber's request (${ticket}) to approve together` }).check();
    await expect(megan.locator(`[data-request="${id}"]`)).toBeVisible();
  }
  await megan.getByRole('button', { name: 'Approve selected (2)' }).click();
  const results = megan.getByTestId('batch-results');
  await expect(results).toContainText(`Alex Wilber's request (${first}): approved.`);
  await expect(results).toContainText(`Alex Wilber's request (${second}): approved.`);
  await expect(megan.getByTestId('inbox-said')).toHaveText('Approved 2 of 2.');
  for (const id of ids) await expect(megan.locator(`[data-request="${id}"]`)).toHaveCount(0);
  await expect(flagged).toBeVisible();
  await axe(megan);

  // The risky one on its own page, with its buttons and the reason form open.
  await megan.goto(`/requests/${riskyId}`);
  await expect(megan.getByTestId('flagged-actions')).toContainText('s3:DeleteObject');
  await expect(megan.getByRole('button', { name: 'Approve', exact: true })).toBeEnabled();
  await megan.getByRole('button', { name: 'Reject', exact: true }).click();
  await expect(megan.getByLabel(/Why do you reject it/)).toBeFocused();
  await axe(megan);
  await megan.screenshot({ path: testInfo.outputPath('2-request-actions.png'), fullPage: true });

  // And the requester's page with its cancel question open.
  await alex.goto(`/requests/${riskyId}`);
  await alex.getByRole('button', { name: 'Cancel request' }).click();
  await axe(alex);
  expect(errors).toEqual([]);
});
