import { expect, test } from '@playwright/test';
import { signIn, snap } from './support';

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
  // Scoped to the filter landmark: while the page streams in, a placeholder copy of the form may exist.
  const filters = page.getByRole('search', { name: 'Filter jobs' });
  for (const label of ['Status', 'Queue', 'Type', 'User', 'Stage', 'Search']) {
    await expect(filters.getByLabel(label, { exact: true })).toBeVisible();
  }
  await filters.getByLabel('Status', { exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(filters.getByLabel('Queue', { exact: true })).toBeFocused();
});
