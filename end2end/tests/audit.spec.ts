import { test, expect, Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { ask, axe, newTicket, signedIn } from './support';

// The auditors' pages, end to end: Adele (auditor) opens Audit from the header, filters by cloud and
// ticket with the GET form, pages to the older requests, downloads the CSV of exactly that set (its
// rows checked against the list), and looks at Access now; the pages pass axe and fit a 390 px screen.

/** The page is no wider than the screen: nothing scrolls sideways. */
async function fitsWidth(page: Page, width: number) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `${page.url()} is ${scrollWidth} px wide`).toBeLessThanOrEqual(width);
}

/** RFC 4180 CSV: quoted cells may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

async function listedIds(page: Page): Promise<string[]> {
  return page.getByTestId('audit-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-request') ?? ''));
}

test('an auditor filters by cloud and ticket, pages, and downloads exactly that set as CSV', async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  // 51 requests on one ticket: one more than a page.
  const asked: string[] = [];
  for (let batch = 0; batch < 51; batch += 3) {
    const n = Math.min(3, 51 - batch);
    asked.push(...(await Promise.all(Array.from({ length: n }, () => ask(alex, ticket)))));
  }
  // Another ticket's request, which the filter must leave out.
  const other = await ask(alex, newTicket());

  const adele = await signedIn(browser, 'Adele Vance', errors);
  await adele.getByTestId('audit-link').click();
  await expect(adele).toHaveURL(/\/audit$/);
  await expect(adele.getByRole('heading', { level: 1 })).toHaveText('Audit: every request');
  await expect(adele.getByTestId('audit-item').first()).toBeVisible();
  await axe(adele);

  await adele.getByLabel('Cloud').selectOption('aws');
  await adele.getByLabel('Ticket number').fill(ticket.toLowerCase());
  await adele.getByRole('button', { name: 'Apply filters' }).click();
  await expect(adele).toHaveURL(new RegExp(`[?&]cloud=aws&.*ticket=${ticket.toLowerCase()}`));
  await expect(adele.getByTestId('audit-count')).toHaveText('51 requests match.');
  await expect(adele.getByTestId('audit-item')).toHaveCount(50);
  // The form keeps what was asked.
  await expect(adele.getByLabel('Ticket number')).toHaveValue(ticket.toLowerCase());
  const first = await listedIds(adele);
  expect(first).not.toContain(other);
  await axe(adele);
  await adele.screenshot({ path: testInfo.outputPath('1-audit-filtered.png'), fullPage: true });

  await adele.getByTestId('audit-next').click();
  await expect(adele).toHaveURL(/before=/);
  await expect(adele.getByTestId('audit-item')).toHaveCount(1);
  const second = await listedIds(adele);
  const listed = [...first, ...second];
  expect(new Set(listed).size).toBe(51);
  expect([...listed].sort()).toEqual([...asked].sort());

  // The CSV of the same filter: every matching request, not only this page's.
  const [download] = await Promise.all([
    adele.waitForEvent('download'),
    adele.getByTestId('export-requests').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^access-requests-\d{4}-\d{2}-\d{2}\.csv$/);
  const rows = parseCsv(await readFile(await download.path(), 'utf8'));
  const header = rows[0];
  expect(header.slice(0, 4)).toEqual(['request_id', 'created_at', 'updated_at', 'status']);
  const records = rows.slice(1);
  expect(records.length).toBe(51);
  const col = (name: string) => header.indexOf(name);
  for (const r of records) {
    expect(r.length).toBe(header.length);
    expect(r[col('ticket_number')]).toBe(ticket);
    expect(r[col('cloud')]).toBe('aws');
    expect(r[col('requester')]).toBe('alex@contoso.com');
    expect(r[col('status')]).toBe('pending_approval');
  }
  // Newest first, as the list.
  expect(records.map((r) => r[col('request_id')])).toEqual(listed);

  // Access now with the same filter: nothing of these is granted yet.
  await adele.getByTestId('audit-tab-active').click();
  await expect(adele).toHaveURL(new RegExp(`/audit/active\\?cloud=aws&ticket=${ticket}$`));
  await expect(adele.getByTestId('audit-empty')).toBeVisible();
  await axe(adele);
  expect(errors).toEqual([]);
});

test('at 390 px the audit pages and the printable report do not scroll sideways and pass axe; a bad filter is said in words', async ({ browser }, testInfo) => {
  const errors: string[] = [];
  const alex = await signedIn(browser, 'Alex Wilber', errors);
  const ticket = newTicket();
  await ask(alex, ticket);
  const adele = await signedIn(browser, 'Adele Vance', errors, { width: 390, height: 844 });
  await adele.goto(`/audit?ticket=${ticket}`);
  await expect(adele.getByTestId('audit-item')).toHaveCount(1);
  await fitsWidth(adele, 390);
  await axe(adele);
  await adele.screenshot({ path: testInfo.outputPath('1-audit-390.png'), fullPage: true });

  // The printable report of that request: its facts and whole timeline, ready for "Save as PDF".
  await adele.getByTestId('audit-report').click();
  await expect(adele).toHaveURL(/\/audit\/requests\/[0-9a-f-]{36}\/report$/);
  await expect(adele.getByRole('heading', { level: 1 })).toHaveText(`Access request ${ticket}`);
  await expect(adele.locator('.report-timeline tbody tr')).toHaveCount(1);
  await expect(adele.locator('.report-timeline tbody tr').first()).toHaveAttribute('data-event', 'create');
  await fitsWidth(adele, 390);
  await axe(adele);
  await adele.emulateMedia({ media: 'print' });
  await expect(adele.locator('.topbar')).toBeHidden();
  await adele.screenshot({ path: testInfo.outputPath('1b-report-print-390.png'), fullPage: true });
  await adele.emulateMedia({ media: 'screen' });

  // The charts of the same filtered set: SVG drawn on the server, the numbers in tables beside.
  await adele.goto(`/audit?ticket=${ticket}`);
  await adele.getByTestId('audit-charts').click();
  await expect(adele).toHaveURL(new RegExp(`/audit/charts\\?ticket=${ticket}$`));
  await expect(adele.getByRole('heading', { level: 1 })).toHaveText('Requests in charts');
  await expect(adele.getByRole('img', { name: /Requests per day, by outcome/ })).toBeVisible();
  const today = new Date().toISOString().slice(0, 10);
  await expect(adele.getByTestId('table-per-day').locator('tbody tr').last()).toContainText(today);
  // The request made above, still waiting, on today's row: waiting 1, all 1.
  await expect(adele.getByTestId('table-per-day').locator('tbody tr').last().locator('td').nth(1)).toHaveText('1');
  await fitsWidth(adele, 390);
  await axe(adele);
  await adele.screenshot({ path: testInfo.outputPath('1c-charts-390.png'), fullPage: true });

  // The printed report of the filtered set: the filter in words, then its one request.
  await adele.goto(`/audit?ticket=${ticket}`);
  await adele.getByTestId('audit-set-report').click();
  await expect(adele).toHaveURL(new RegExp(`/audit/report\\?ticket=${ticket}$`));
  await expect(adele.getByRole('heading', { level: 1 })).toHaveText('Access requests: audit report');
  await expect(adele.getByTestId('report-filters')).toContainText(ticket);
  await expect(adele.getByTestId('report-count')).toHaveText('1 request matches.');
  await expect(adele.locator('.report-set tbody tr')).toHaveCount(1);
  await fitsWidth(adele, 390);
  await axe(adele);
  await adele.screenshot({ path: testInfo.outputPath('1d-set-report-390.png'), fullPage: true });

  await adele.goto('/audit/active');
  await expect(adele.getByRole('heading', { level: 1 })).toHaveText('Audit: access held now');
  await fitsWidth(adele, 390);
  await axe(adele);
  await adele.screenshot({ path: testInfo.outputPath('2-active-390.png'), fullPage: true });

  await adele.goto('/audit?cloud=oracle&from=yesterday');
  await expect(adele.getByTestId('audit-error')).toContainText('The cloud must be aws, azure or gcp.');
  await expect(adele.getByTestId('audit-error')).toContainText('The from date must be a day');
  await fitsWidth(adele, 390);

  // The home page keeps its promise: the history is a link away.
  await adele.goto('/');
  await adele.getByTestId('home-audit').getByRole('link', { name: 'every request' }).click();
  await expect(adele).toHaveURL(/\/audit$/);
  expect(errors).toEqual([]);
});
