// Browser journeys run in Debian's Chromium (never a downloaded browser) against the real server, a real
// Postgres database, the Entra/Graph stand-in and maildev (the mail catcher, from npm), which Playwright
// starts below unless they already run.
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const portalPort = process.env.E2E_PORTAL_PORT ?? '3300';
const simPort = process.env.E2E_SIM_PORT ?? '3310';
// maildev catches every email the portal sends; the journeys read it through its HTTP API.
const mailSmtpPort = process.env.E2E_MAIL_SMTP_PORT ?? '3320';
const mailWebPort = process.env.E2E_MAIL_WEB_PORT ?? '3321';
const binDir = path.resolve(__dirname, process.env.PORTAL_BIN_DIR ?? '../target/debug');
const tenant = '9c2f3d71-5b8e-4a6c-8f0d-3e7b1a2c4d59';
const databaseUrl = process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/portal_e2e';
export const baseURL = `http://127.0.0.1:${portalPort}`;
export const simURL = `http://127.0.0.1:${simPort}`;
export const mailURL = `http://127.0.0.1:${mailWebPort}`;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  // A journey's whole budget, not a bound on the portal: several people, pages and axe runs on a
  // shared 2-core machine, where 30 s ran out under load (email.spec.ts at load average 11).
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Two cores: one browser at a time keeps the run steady.
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      // `--control`: the approval journeys read back what the stand-in holds (`/_control/requests`).
      command: `${binDir}/entra-sim --port ${simPort} --control`,
      url: `${simURL}/healthz`,
      reuseExistingServer: !process.env.CI,
      stdout: 'pipe',
      timeout: 60_000,
    },
    {
      command: `node node_modules/maildev/bin/maildev --ip 127.0.0.1 --smtp ${mailSmtpPort} --web ${mailWebPort} --silent`,
      url: `${mailURL}/healthz`,
      reuseExistingServer: !process.env.CI,
      stdout: 'pipe',
      timeout: 60_000,
    },
    {
      command: `${binDir}/server`,
      cwd: '..',
      url: `${baseURL}/readyz`,
      reuseExistingServer: !process.env.CI,
      stdout: 'pipe',
      timeout: 60_000,
      env: {
        PORTAL_LISTEN_ADDR: `127.0.0.1:${portalPort}`,
        PORTAL_PUBLIC_URL: `http://127.0.0.1:${portalPort}`,
        PORTAL_AUTH__AUTHORITY: `${simURL}/${tenant}/v2.0`,
        PORTAL_AUTH__GRAPH_BASE_URL: `${simURL}/graph/beta`,
        PORTAL_REQUESTS__PIM__GRAPH_BASE_URL: `${simURL}/graph/v1.0`,
        PORTAL_DATABASE__URL: databaseUrl,
        // Its own free port, so a portal already running here (make dev) does not hold it.
        PORTAL_METRICS_ADDR: process.env.E2E_METRICS_ADDR ?? '127.0.0.1:0',
        PORTAL_SMTP__HOST: '127.0.0.1',
        PORTAL_SMTP__PORT: mailSmtpPort,
        PORTAL_SMTP__MODE: 'none',
        PORTAL_NOTIFICATIONS__EVERY: '500',
        LEPTOS_SITE_ROOT: 'target/site',
        RUST_LOG: process.env.RUST_LOG ?? 'info',
      },
    },
  ],
});
