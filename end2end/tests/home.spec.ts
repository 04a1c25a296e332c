import { test, expect } from '@playwright/test';

test('the home page hydrates and its controls react', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The bundle comes from its versioned path, as the compressed copy the build made, kept for good.
  const wasm = page.waitForResponse((r) => /\/pkg\/[0-9a-f]{16}\/app\.wasm$/.test(r.url()));

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Just-in-time cloud access');

  // Server-rendered as "static"; only the running wasm turns it into "interactive".
  await expect(page.getByTestId('hydration-state')).toHaveText('interactive');
  const bundle = await wasm;
  expect(bundle.status()).toBe(200);
  expect(['br', 'gzip']).toContain(await bundle.headerValue('content-encoding'));
  expect(await bundle.headerValue('cache-control')).toContain('immutable');

  const toggle = page.getByRole('button', { name: 'How it works' });
  const steps = page.locator('#how-it-works');
  await expect(steps).toBeHidden();
  await toggle.click();
  await expect(steps).toBeVisible();
  await expect(page.getByRole('button', { name: 'Hide how it works' })).toHaveAttribute('aria-expanded', 'true');

  await page.screenshot({ path: testInfo.outputPath('home.png'), fullPage: true });
  expect(errors).toEqual([]);
});
