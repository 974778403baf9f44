import { mkdirSync } from 'node:fs';
import { expect, type APIRequestContext, type Page, type TestInfo } from '@playwright/test';
import { E2E } from '../../playwright.config';
import { demoUsers, type DemoUser } from '../../scripts/seed';

export { E2E };

const SHOTS = 'test-results/screenshots';

/**
 * Saves a screenshot both as a report attachment and under test-results/screenshots/. Whole page by
 * default; the visible window for shots of toasts, which sit fixed at the bottom of the screen.
 */
export async function snap(
  page: Page,
  testInfo: TestInfo,
  name: string,
  opts: { fullPage?: boolean } = {},
): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const body = await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: opts.fullPage ?? true });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

export async function signIn(page: Page, next = '/'): Promise<void> {
  await page.goto(`/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`);
  await page.getByLabel('Dashboard password').fill(E2E.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
}

/** Faults on the fake platform APIs (see scripts/fake-platforms.ts). */
export async function fakeControl(request: APIRequestContext, body: Record<string, unknown>): Promise<void> {
  const res = await request.post(`${E2E.fakePlatformsUrl}/_control`, { data: body });
  expect(res.ok(), await res.text()).toBeTruthy();
}

/** What the cron would do each minute: one process-queue batch, with the bearer. */
export async function runProcessQueue(request: APIRequestContext) {
  const res = await request.post('/api/cron/process-queue', {
    headers: { authorization: `Bearer ${E2E.cronSecret}` },
    data: { limit: 50 },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  return (await res.json()) as { claimed: number; jobs: { id: string; userId: string | null }[] };
}

/**
 * A seeded user with a working GitHub connection (so faults can target its handle) and at least
 * `minConnections` enabled ones. Each spec takes its own index, so specs never share a user.
 */
export function demoUserWithGithub(index: number, minConnections = 1): DemoUser & { githubHandle: string } {
  const found = demoUsers().filter(
    (u) =>
      u.connections.some((c) => c.platform === 'github' && c.enabled && !c.handle.startsWith('gone')) &&
      u.connections.filter((c) => c.enabled).length >= minConnections,
  );
  const user = found[index];
  return { ...user, githubHandle: user.connections.find((c) => c.platform === 'github')!.handle };
}

export const taskToast = (page: Page, title: string) =>
  page.getByTestId('task-toast').filter({ has: page.getByText(title, { exact: true }) });

export const step = (toast: ReturnType<typeof taskToast>, key: 'added' | 'waiting' | 'processing' | 'finished') =>
  toast.locator(`[data-step="${key}"]`);

/** A user's card on the Users page, the one on screen (see jobFilter about hidden copies). */
export function userCard(page: Page, username: string) {
  return page.locator(`li[data-username="${username}"]:visible`);
}

/**
 * A control of the jobs filter form a person can see. While a page streams in, React may keep a hidden
 * copy of the form in the document; role queries leave hidden elements out, so this finds the one on screen.
 */
export function jobFilter(page: Page, label: 'Status' | 'Queue' | 'Type' | 'User' | 'Stage' | 'Search') {
  return page.getByRole('search', { name: 'Filter jobs' }).getByLabel(label, { exact: true });
}

/** Rows of the jobs table on screen, all of them or the one for `jobId`. */
export function jobRows(page: Page, jobId?: string) {
  return page.locator(jobId ? `tbody tr[data-job-id="${jobId}"]:visible` : 'tbody tr[data-job-id]:visible');
}
