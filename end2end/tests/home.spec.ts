import { test, expect } from '@playwright/test';
import { signInToForm } from './support';

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

test('the request form is a chunk of the bundle of its own: hinted and fetched for the form, not for pages in the main bundle, and fetched on a link too', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const isChunk = (url: string) => /\/pkg\/[0-9a-f]{16}\/split_[^/]*\.wasm$/.test(url);
  const chunks: string[] = [];
  page.on('request', (r) => { if (isChunk(r.url())) chunks.push(new URL(r.url()).pathname); });
  const hintsOf = async (path: string) => {
    const response = await page.goto(path);
    const links = (await response!.headerValue('link')) ?? '';
    return [...links.matchAll(/<([^>]*)>; rel=preload; as=fetch/g)].map((m) => m[1]).filter(isChunk);
  };

  // Loaded directly: the page's response names its chunk in a preload hint, so it comes beside the
  // main bundle, compressed and kept for good like it.
  await signInToForm(page, 'Alex');
  chunks.length = 0;
  const chunk = page.waitForResponse((r) => isChunk(r.url()));
  const formHints = await hintsOf('/requests/new');
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  expect(formHints.length).toBeGreaterThan(0);
  const served = await chunk;
  expect(served.status()).toBe(200);
  expect(['br', 'gzip']).toContain(await served.headerValue('content-encoding'));
  expect(await served.headerValue('cache-control')).toContain('immutable');
  expect(formHints).toContain(new URL(served.url()).pathname);

  // My requests and home are in the main bundle: no hint, no chunk.
  chunks.length = 0;
  expect(await hintsOf('/requests')).toEqual([]);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await hintsOf('/')).toEqual([]);
  await expect(page.getByTestId('hydration-state')).toHaveText('interactive');
  await page.waitForLoadState('networkidle');
  expect(chunks).toEqual([]);

  // Reached by a link, in the browser: the chunk is fetched then (held back a second here, so the
  // wait shows), the page says it is loading meanwhile, and then the form works.
  await page.route(/\/split_[^/]*\.wasm$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await route.continue();
  });
  await page.getByRole('main').getByRole('link', { name: 'request access' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Loading the page…' })).toBeVisible();
  await expect(page).toHaveURL(/\/requests\/new$/);
  await expect(page.getByRole('status').filter({ hasText: 'Loading the page…' })).toHaveCount(0);
  await expect(page.locator('[data-hydrated="true"]')).toBeVisible();
  expect(chunks.filter((c) => formHints.includes(c)).length).toBeGreaterThan(0);
  await page.getByRole('radio', { name: /^AWS/ }).check();
  await expect(page.getByRole('radio', { name: /development/ })).toBeVisible();
  expect(errors).toEqual([]);
});
