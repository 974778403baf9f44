import { expect, test } from '@playwright/test';
import { jobFilter, signIn, snap } from './support';

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
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
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
