import { expect, test } from '@playwright/test';
import { demoUserWithGithub, jobFilter, signIn, snap, taskToast, userCard } from './support';

test.afterEach(async ({ page }) => {
  // The keyboard test pauses and resumes queue sync: leave it running whatever happened.
  await page.request.post('/api/dashboard/queues/sync', { data: { paused: false } });
});

test('each dashboard page renders at phone width without sideways scrolling', async ({ page }, testInfo) => {
  await signIn(page, '/users');
  await expect(page.locator('li[data-username]:visible').first()).toBeVisible();
  await snap(page, testInfo, 'users');

  await page.setViewportSize({ width: 390, height: 844 });
  for (const [path, name] of [
    ['/', 'overview-phone'],
    ['/jobs', 'jobs-phone'],
    ['/users', 'users-phone'],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
    await snap(page, testInfo, name);
  }
});

test('the dashboard can be driven from the keyboard: skip link, nav and labelled controls', async ({ page }) => {
  await signIn(page);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.goto('/jobs');
  for (const label of ['Status', 'Queue', 'Type', 'User', 'Stage', 'Search'] as const) {
    await expect(jobFilter(page, label)).toBeVisible();
  }
  await jobFilter(page, 'Status').focus();
  await page.keyboard.press('Tab');
  await expect(jobFilter(page, 'Queue')).toBeFocused();
});

test('a control pressed from the keyboard keeps the focus while its request runs', async ({ page }) => {
  const user = demoUserWithGithub(7);
  await signIn(page, '/users');
  const sync = userCard(page, user.username).getByRole('button', { name: `Sync now: ${user.username}` });
  await sync.focus();
  await page.keyboard.press('Enter');
  await expect(taskToast(page, `Sync ${user.username}`)).toBeVisible();
  await expect(sync).toBeFocused();

  await page.goto('/');
  // Beside the counts: how long each queue's oldest due job has waited, and its pickup latency.
  await expect(page.getByRole('columnheader', { name: 'Oldest due' }).first()).toBeVisible();
  await expect(page.locator('tr[data-queue="sync"]:visible td[data-col="pickup"]')).toBeVisible();
  const pause = page.locator('tr[data-queue="sync"]:visible').getByRole('button', { name: 'Pause queue sync' });
  await pause.focus();
  await page.keyboard.press('Enter');
  const resume = page.locator('tr[data-queue="sync"]:visible').getByRole('button', { name: 'Resume queue sync' });
  await expect(resume).toBeVisible();
  await expect(resume).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(
    page.locator('tr[data-queue="sync"]:visible').getByRole('button', { name: 'Pause queue sync' }),
  ).toBeFocused();
});
