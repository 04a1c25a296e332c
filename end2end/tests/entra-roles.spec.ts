import { test, expect } from '@playwright/test';
import { simURL } from '../playwright.config';
import { Page } from '@playwright/test';
import { axe, justification, signedIn } from './support';

const ALEX = '4f1c2b7e-8a3d-4e51-9b6a-0c2d7e9f1a01';
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';

type PimRequest = { id: string; action: string; status: string; principalId: string; roleDefinitionId: string; deactivatedBy?: string };

/** Every PIM request the stand-in holds, with its status (its control API). */
async function pimRequests(page: Page): Promise<PimRequest[]> {
  return (await (await page.request.get(`${simURL}/_control/pim/requests`)).json()).value;
}

/** The activation bodies PIM received for portal request `id` (its reference is in the justification). */
async function posted(page: Page, id: string): Promise<{ principalId: string; justification: string }[]> {
  const all: { method: string; path: string; body: string }[] = (
    await (await page.request.get(`${simURL}/_control/received?family=graph_pim`)).json()
  ).value;
  return all
    .filter((r) => r.method === 'POST' && r.path.endsWith('roleAssignmentScheduleRequests') && r.body.includes(`[access-portal:${id}]`))
    .map((r) => JSON.parse(r.body));
}

// Microsoft Entra roles through PIM, end to end: Alex asks for User Administrator for two hours,
// Megan approves, the portal activates it in PIM with Alex's own sign-in, the status poller sees
// it granted, and Alex ends it early (a selfDeactivate), all in the browser.

test('a requester activates User Administrator for 2 hours after approval, sees it granted, then deactivates it', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  // An admin connects the status poller once by signing in as its service account.
  await signedIn(browser, 'Access Portal Status Reader', errors);

  const alex = await signedIn(browser, 'Alex Wilber', errors);
  await alex.goto('/requests/new');
  await expect(alex.locator('[data-hydrated="true"]')).toBeVisible();
  await alex.getByRole('radio', { name: /^Microsoft Entra roles/ }).check();
  await alex.getByRole('radio', { name: /^User Administrator in Directory/ }).check();
  await expect(alex.getByTestId('entra-policy')).toContainText('At most 8 hours at a time.');
  await alex.getByRole('radio', { name: 'Custom duration' }).check();
  await alex.getByLabel('Duration, such as 2h, 90m, 1h30m or 1 day').fill('2h');
  await alex.getByLabel('Justification (required, 10 to 1000 characters)').fill(justification);
  await alex.getByRole('button', { name: 'Review the request' }).click();
  await expect(alex.getByTestId('review')).toContainText('User Administrator');
  await expect(alex.getByTestId('graph-json')).toContainText('"duration": "PT2H"');
  await alex.getByRole('button', { name: 'Submit request' }).click();
  await expect(alex).toHaveURL(/\/requests\/[0-9a-f-]{36}$/);
  const id = /\/requests\/([0-9a-f-]{36})$/.exec(alex.url())?.[1] as string;
  await expect(alex.getByTestId('request-status')).toHaveText('waiting for approval');

  // Megan approves from her inbox.
  const megan = await signedIn(browser, 'Megan Bowen', errors);
  await megan.goto('/approvals');
  const item = megan.locator(`[data-request="${id}"]`);
  await expect(item).toContainText('User Administrator');
  await item.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(item).toHaveCount(0);

  // The activation goes with Alex's token; PIM provisions it at once (no approval in its policy),
  // and Alex's open page shows it granted without a reload.
  await alex.goto(`/requests/${id}`);
  await expect(alex.getByTestId('request-status')).toHaveText('submitted', { timeout: 30_000 });
  await expect(alex.getByText(/Graph: approved, granted/)).toBeVisible({ timeout: 30_000 });
  // One activation reached PIM, sent with Alex's own token (PIM takes selfActivate only from
  // the principal) and carrying the portal's reference; PIM holds it provisioned.
  const activations = await posted(alex, id);
  expect(activations.length).toBe(1);
  expect(activations[0].principalId).toBe(ALEX);
  const held = (await pimRequests(alex)).filter(
    (r) => r.principalId === ALEX && r.roleDefinitionId === USER_ADMINISTRATOR && r.action === 'selfActivate' && r.status === 'Provisioned',
  );
  expect(held.length).toBe(1);
  await axe(alex);
  await alex.screenshot({ path: testInfo.outputPath('entra-granted.png'), fullPage: true });

  // PIM lets a role be deactivated once it has been active for five minutes: the stand-in counts
  // this one active 10 minutes longer. (Its clock stays: moving it would age every token it signs,
  // and the other journeys' sign-ins would be refused as not yet valid.)
  const aged = await alex.request.post(`${simURL}/_control/pim/requests/${held[0].id}/active-since-earlier`, {
    data: { duration: 'PT10M' },
  });
  expect(aged.status(), await aged.text()).toBe(204);
  await alex.getByRole('button', { name: 'Cancel request' }).click();
  await alex.getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(alex.getByTestId('request-status')).toHaveText('cancelled');
  // PIM revoked it, and the poller records that too.
  await expect(alex.getByText(/access revoked/)).toBeVisible({ timeout: 30_000 });
  const ended = (await pimRequests(alex)).find((r) => r.id === held[0].id);
  expect(ended?.status).toBe('Revoked');
  expect(ended?.deactivatedBy, 'ended by a selfDeactivate, not by its clock').toBeTruthy();
  expect((await posted(alex, id)).length, 'the activation was never sent twice').toBe(1);
  await expect(alex.getByTestId('request-history')).toContainText('Alex Wilber');
  await alex.screenshot({ path: testInfo.outputPath('entra-deactivated.png'), fullPage: true });
  expect(errors).toEqual([]);
});
