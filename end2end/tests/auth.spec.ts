import { test, expect } from '@playwright/test';

test('a requester signs in, sees their name and roles, signs out, and Back shows nothing private', async ({ page }, testInfo) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Sign in', exact: true }).click();

  // The stand-in's account picker, as Entra's would be.
  await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('1-pick-account.png'), fullPage: true });
  await page.getByRole('button', { name: 'Sign in as Alex Wilber' }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('viewer-name')).toHaveText('Alex Wilber');
  await expect(page.getByTestId('viewer-roles')).toHaveText('Requester');
  await expect(page.getByTestId('welcome')).toHaveText('Welcome, Alex.');
  // A requester has no administrator link.
  await expect(page.getByRole('link', { name: 'Portal health' })).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('2-signed-in.png'), fullPage: true });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signed-out$/);
  await expect(page.getByRole('heading', { name: 'You are signed out' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('3-signed-out.png'), fullPage: true });

  await page.goBack();
  await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
  await expect(page.getByText('Alex Wilber')).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath('4-back.png'), fullPage: true });
});

test('an administrator sees the portal health page; a requester is refused it', async ({ page, browser }) => {
  await page.goto('/admin');
  // Not signed in: sent to sign in, then back to the page asked for.
  await page.getByRole('button', { name: 'Sign in as Patti Fernandez' }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByTestId('portal-health')).toContainText('ready');

  const other = await browser.newContext();
  const requester = await other.newPage();
  await requester.goto('/auth/login');
  await requester.getByRole('button', { name: 'Sign in as Alex Wilber' }).click();
  await expect(requester.getByTestId('viewer-name')).toHaveText('Alex Wilber');
  const refused = await requester.goto('/admin');
  expect(refused?.status()).toBe(403);
  await expect(requester.getByRole('heading', { name: 'You do not have access to this page' })).toBeVisible();
  await other.close();
});
