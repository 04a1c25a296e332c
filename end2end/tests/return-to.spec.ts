import { test, expect } from '@playwright/test';

// The address to come back to after sign-in is the caller's to choose, so a crafted one must not send
// the browser to another site. Browsers drop a tab from `Location` and read `\` as `/`, which turned
// `/<tab>/evil.example` into `//evil.example`.
for (const returnTo of ['/%09/evil.example', '/%09%5Cevil.example']) {
  test(`signing in from /auth/login?return_to=${returnTo} ends on the portal, not another site`, async ({ page }) => {
    // Had the browser been sent away, it lands on this page instead of failing to resolve the name.
    await page.route(
      (url) => url.hostname.endsWith('evil.example'),
      (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Another site</h1>' }),
    );
    await page.goto(`/auth/login?return_to=${returnTo}`);
    await page.getByRole('button', { name: 'Sign in as Alex Wilber' }).click();

    const portal = new URL(test.info().project.use.baseURL ?? '');
    await expect(page).toHaveURL(`${portal.origin}/`);
    await expect(page.getByTestId('viewer-name')).toHaveText('Alex Wilber');
    await expect(page.getByRole('heading', { name: 'Another site' })).toHaveCount(0);
  });
}
