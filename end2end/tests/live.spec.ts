import { test, expect } from '@playwright/test';
import { simURL } from '../playwright.config';
import { ask, newTicket, signedIn } from './support';

// A request's page follows the request by itself: the server announces each change (server-sent
// events fed by Postgres), so Alex, reading his waiting request, sees Megan's approval and then the
// submission appear without reloading.

test('a requester reading a waiting request sees it approved and sent without reloading', async ({ browser }) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  const id = await ask(alex, ticket);

  await alex.goto(`/requests/${id}`);
  await expect(alex.getByTestId('request-status')).toHaveText('waiting for approval');
  // Interactive once its buttons are enabled.
  await expect(alex.getByRole('button', { name: 'Cancel request' })).toBeEnabled();
  let navigations = 0;
  alex.on('framenavigated', () => navigations++);

  const megan = await signedIn(browser, 'Megan Bowen', errors);
  const answer = await megan.evaluate(async (id) => {
    const r = await fetch('/api/decide_request', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, decision: { decision: 'approve' } }),
    });
    return { status: r.status, body: await r.text() };
  }, id);
  expect(answer.status, answer.body).toBe(200);

  // Approved, then sent to Graph by the submission job: both reach the open page by themselves.
  await expect(alex.getByTestId('request-status')).toHaveText(/approved|submitted/);
  await expect(alex.getByTestId('request-status')).toHaveText('submitted');
  await expect(alex.getByText('Megan Bowen').first()).toBeVisible();
  expect(navigations, 'the page was not reloaded').toBe(0);
  expect(errors).toEqual([]);
});

test('with the status poller connected, the page shows access granted as Graph reports it', async ({ browser }) => {
  const errors: string[] = [];
  // An admin connects the poller once by signing in as its service account.
  await signedIn(browser, 'Access Portal Status Reader', errors);
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  const id = await ask(alex, ticket);
  const megan = await signedIn(browser, 'Megan Bowen', errors);
  const answer = await megan.evaluate(async (id) => {
    const r = await fetch('/api/decide_request', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, decision: { decision: 'approve' } }),
    });
    return r.status;
  }, id);
  expect(answer).toBe(200);

  await alex.goto(`/requests/${id}`);
  await expect(alex.getByTestId('request-status')).toHaveText('submitted');
  await expect(alex.getByRole('button', { name: 'Cancel request' })).toBeEnabled();
  let navigations = 0;
  alex.on('framenavigated', () => navigations++);

  // Graph's approver approves on the stand-in (its control API), and access is granted.
  const onGraph = async () => {
    const all: { value: { id: string; ticketId: string; statusDetail: string }[] } = await (
      await alex.request.get(`${simURL}/_control/requests`)
    ).json();
    return all.value.find((r) => r.ticketId === ticket);
  };
  const graphRequest = await onGraph();
  expect(graphRequest).toBeTruthy();
  if (graphRequest?.statusDetail === 'submitted') {
    const approved = await alex.request.post(`${simURL}/_control/requests/${graphRequest.id}/approve`);
    expect(approved.status(), await approved.text()).toBeLessThan(300);
  }
  // The poller reads the change within its interval; the page hears of it and shows it.
  await expect(alex.getByText(/Graph: approved, granted/)).toBeVisible({ timeout: 30_000 });
  // The page counts down to the end of the access now held, and its timeline says Graph told it.
  await expect(alex.getByTestId('countdown')).toHaveText(/^Access ends in .+, at .+\.$/);
  await expect(alex.getByTestId('request-history')).toContainText('Microsoft Graph');
  await expect(alex.getByTestId('request-history')).toContainText('Graph: approved, access granted');
  // It updates by itself, so it offers no reload.
  await expect(alex.getByTestId('reload-hint')).toBeHidden();
  expect(navigations, 'the page was not reloaded').toBe(0);
  expect(errors).toEqual([]);
});
