import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT ?? 3100);
// The fake platform APIs on a known port, so tests can inject faults through their /_control endpoint.
const FAKE_PORT = Number(process.env.E2E_FAKE_PLATFORMS_PORT ?? PORT + 90);
const chromium = process.env.CHROMIUM_PATH ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export const E2E = {
  baseURL: `http://localhost:${PORT}`,
  cronSecret: 'e2e-cron-secret',
  apiKey: 'e2e-queue-api-key',
  password: 'e2e-dashboard-password',
  fakePlatformsUrl: `http://127.0.0.1:${FAKE_PORT}`,
};

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  outputDir: 'test-results/e2e',
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    baseURL: E2E.baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    // The built app on its own throwaway database; scripts/test-all.ts builds first.
    command: `tsx scripts/dev.ts --prod --port ${PORT} --data-dir .data/e2e-pg --ephemeral`,
    url: `${E2E.baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      CRON_SECRET: E2E.cronSecret,
      QUEUE_API_KEY: E2E.apiKey,
      DASHBOARD_PASSWORD: E2E.password,
      SESSION_SECRET: 'e2e-session-secret-0123456789',
      LOCAL_CRON: 'off',
      FAKE_PLATFORMS_PORT: String(FAKE_PORT),
      NEXT_TELEMETRY_DISABLED: '1',
      ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : {}),
    },
  },
});
