import { expect, test } from '@playwright/test';

test('the app answers and shows its name', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Steady');
});
