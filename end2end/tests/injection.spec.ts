// Markup injection, as Chromium sees it: text in the request page's address (what a link from anyone
// can carry) ends up in textareas and the title, which Leptos writes unescaped. A payload that closes
// them and opens an element and a comment must stay text, whole, in every field: in the server's HTML
// alone (JavaScript off) and once the page is interactive. server/tests/api/injection.rs checks the same
// HTML with a parser in Rust.
import { expect, Page, test } from '@playwright/test';
import { signInToForm } from './support';

const PAYLOAD = '</textarea></title></script></style><b id=x>INJ</b><!--INJ';

// Every name the request page reads from its address (app/src/plain_form.rs).
const FIELDS = [
  'cloud', 'system', 'identity', 'what', 'item', 'remove', 'role', 'scope', 'statement', 'resources',
  'not_resources', 'not_actions', 'effect', 'condition', 'start', 'start_at', 'length', 'custom_duration',
  'end_at', 'repeat', 'interval', 'day', 'day_of_month', 'range', 'end_date', 'occurrences',
  'justification', 'notes', 'ticket', 'approver', 'offset', 'zone', 'iq', 'inext', 'q', 'next', 'review',
];

// An AWS statement far enough along that the statement's inputs and the review render.
const STATEMENT: Record<string, string> = {
  cloud: 'aws',
  system: '956987887735',
  identity: 'user:rsn:alex@contoso.com',
  what: 'aws_statements',
  role: 'arn:aws:iam::956987887735:role/saml-user',
  item: 's3:GetObject',
  resources: '*',
  effect: 'allow',
  start: 'now',
  length: 'PT1H',
  justification: 'Investigate the failed deployment',
  ticket: 'INC1234567',
  approver: 'megan@contoso.com',
  review: '1',
};

function address(poison: string[]): string {
  const query = new URLSearchParams(STATEMENT);
  for (const field of poison) query.set(field, PAYLOAD);
  return `/requests/new?${query}`;
}

/** Nothing the payload could make: no element, no comment holding its text. */
async function expectInert(page: Page, what: string) {
  await expect(page.locator('#x, b'), what).toHaveCount(0);
  const comments = await page.evaluate(() => {
    const walker = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
    const found: string[] = [];
    while (walker.nextNode()) found.push(walker.currentNode.nodeValue ?? '');
    return found.filter((c) => c.includes('INJ'));
  });
  expect(comments, what).toEqual([]);
}

const TEXT_AREAS = ['justification', 'notes', 'resources', 'not_resources', 'not_actions', 'condition'];

test('text from the address stays text in every field, before and after the page is interactive', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await signInToForm(page, 'Alex Wilber', { hydrated: false });

  // The server's HTML as Chromium parses it, one field at a time.
  const noScript = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  const plain = await noScript.newPage();
  for (const field of FIELDS) {
    await plain.goto(address([field]));
    await expect(plain.locator('#step-4')).toBeVisible();
    await expectInert(plain, field);
  }
  await plain.goto(address(TEXT_AREAS));
  for (const name of TEXT_AREAS) {
    await expect(plain.locator(`textarea[name="${name}"]`), name).toHaveValue(PAYLOAD);
  }
  await noScript.close();

  // Interactive: hydration keeps the same text, and the page works on it.
  await page.goto(address(TEXT_AREAS));
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  await expectInert(page, 'hydrated');
  await expect(page.getByLabel('Notes (optional)')).toHaveValue(PAYLOAD);
  await expect(page.getByLabel('Justification (required, 10 to 1000 characters)')).toHaveValue(PAYLOAD);
  // The payload makes the form's statement invalid, so the title says so (GOV.UK's 'Error:' prefix);
  // either way it is the page's own words, none of the payload's.
  await expect(page).toHaveTitle(/^(Error: )?Request access · Access Portal$/);
});
