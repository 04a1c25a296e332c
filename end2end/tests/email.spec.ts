import { test, expect, APIRequestContext } from '@playwright/test';
import { baseURL, mailURL } from '../playwright.config';
import { ask, axe, newTicket, signedIn } from './support';

// Email, end to end: Alex asks, the portal's notifications job sends Megan (his approver) an email that
// maildev catches; the journey reads it through maildev's HTTP API, follows its link to her inbox and
// approves there; Alex's "approved" email arrives with a link to his request.

type Mail = { id: string; subject: string; to: { address: string }[]; text: string; html: string };

/** The emails maildev holds to `address` whose subject matches and whose text names `ticket`. */
async function mailsTo(request: APIRequestContext, address: string, subject: RegExp, ticket: string): Promise<Mail[]> {
  const response = await request.get(`${mailURL}/email`);
  expect(response.ok()).toBe(true);
  const all: Mail[] = await response.json();
  return all.filter((m) => m.to.some((t) => t.address === address) && subject.test(m.subject) && m.text.includes(ticket));
}

/** Waits for the one such email (the job sends every half second) and returns it. */
async function arrives(request: APIRequestContext, address: string, subject: RegExp, ticket: string): Promise<Mail> {
  await expect.poll(async () => (await mailsTo(request, address, subject, ticket)).length, { timeout: 20_000 }).toBe(1);
  return (await mailsTo(request, address, subject, ticket))[0];
}

/** The link the email leads with (`Open your approvals: …`, `Open the request: …`). */
function link(mail: Mail): string {
  const found = /^Open [^:]+: (\S+)$/m.exec(mail.text)?.[1];
  expect(found, mail.text).toBeTruthy();
  expect(mail.html).toContain(`href="${found}"`);
  return found as string;
}

test('the approver is emailed, follows the link to the inbox and approves, and the requester is emailed', async ({ browser, request }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  const id = await ask(alex, ticket);

  const asked = await arrives(request, 'megan@contoso.com', /^\[Access portal\] Approval needed: Alex Wilber asks for/, ticket);
  expect(asked.text).toContain('Investigate the failed deployment of the orders service');
  expect(asked.text).toContain('Times are in ');
  const inbox = link(asked);
  expect(inbox).toBe(`${baseURL}/approvals`);

  // The email itself reads on a phone: nothing scrolls sideways at 390 px.
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await phone.goto(`${mailURL}/email/${asked.id}/html`);
  await expect(phone.getByRole('link', { name: 'Open your approvals' })).toHaveAttribute('href', inbox);
  const [scroll, client] = await phone.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  expect(scroll).toBeLessThanOrEqual(client);
  await phone.screenshot({ path: testInfo.outputPath('0-email-at-390.png'), fullPage: true });

  const megan = await signedIn(browser, 'Megan Bowen', errors);
  await megan.goto(inbox);
  await expect(megan.getByRole('heading', { level: 1 })).toHaveText('Approvals');
  const item = megan.locator(`[data-request="${id}"]`);
  await expect(item).toContainText(ticket);
  await axe(megan);
  await megan.screenshot({ path: testInfo.outputPath('1-inbox-from-email.png'), fullPage: true });
  await item.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(megan.getByTestId('inbox-said')).toHaveText(`Alex Wilber's request (${ticket}) is now approved.`);

  const approved = await arrives(request, 'alex@contoso.com', /^\[Access portal\] Approved: /, ticket);
  const page = link(approved);
  expect(page).toBe(`${baseURL}/requests/${id}`);
  await alex.goto(page);
  await expect(alex.getByTestId('request-status')).toHaveText(/approved|submitted/);
  await alex.screenshot({ path: testInfo.outputPath('2-request-from-email.png'), fullPage: true });

  // Once each: the approver's email was not sent again meanwhile, nor the requester's.
  expect(await mailsTo(request, 'megan@contoso.com', /Approval needed/, ticket)).toHaveLength(1);
  expect(await mailsTo(request, 'alex@contoso.com', /Approved/, ticket)).toHaveLength(1);
  expect(errors).toEqual([]);
});
