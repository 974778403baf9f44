import { expect, test } from '@playwright/test';
import { demoUsers } from '../../scripts/seed';
import { signIn, snap, userCard } from './support';

const LABELS = { github: 'GitHub', youtube: 'YouTube', twitter: 'Twitter', instagram: 'Instagram' } as const;
type Platform = keyof typeof LABELS;

// A seeded user with one connected platform private and at least one other public, with activity.
const subject = demoUsers().find((u) => {
  const connected = u.connections.filter((c) => !c.handle.startsWith('gone')).map((c) => c.platform);
  return connected.some((p) => u.privacy[p]) && connected.filter((p) => !u.privacy[p]).length >= 2;
})!;
const connected = subject.connections.map((c) => c.platform);
const hidden = connected.find((p) => subject.privacy[p]) as Platform;
const shown = connected.filter((p) => !subject.privacy[p]) as Platform[];

const mentions = (html: string, p: Platform) => html.toLowerCase().includes(p) || html.includes(LABELS[p]);

test('the public page shows streaks, the year and public platforms, and has no trace of a private one', async ({
  page,
  request,
}, testInfo) => {
  const res = await request.get(`/u/${subject.username}`);
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(mentions(html, hidden), `${hidden} appears in the public HTML`).toBe(false);
  for (const p of shown) expect(mentions(html, p), `${p} should be listed`).toBe(true);

  await page.goto(`/u/${subject.username}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(subject.displayName);
  await expect(page.getByText('Current streak')).toBeVisible();
  await expect(page.getByText('Longest streak')).toBeVisible();
  await expect(page.getByRole('img', { name: /active days in the last year/ })).toBeVisible();
  expect(await page.locator('rect[data-level]:not([data-level="0"])').count()).toBeGreaterThan(30);
  await expect(page.locator('[data-platform]')).toHaveCount(shown.length);
  await snap(page, testInfo, 'public');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await snap(page, testInfo, 'public-phone');

  expect((await request.get('/u/no-such-user-here')).status()).toBe(404);
});

test('making a platform private on the Users page removes it from the public page', async ({ page, request }) => {
  const target = shown[0];
  await signIn(page, '/users');
  const toggle = userCard(page, subject.username).getByRole('switch', {
    name: new RegExp(`${LABELS[target]}.* on the public page`),
  });
  await expect(toggle).toBeChecked();
  await toggle.click();
  await expect(toggle).not.toBeChecked();
  await expect(page.getByText(/is now hidden from the public page/)).toBeVisible();

  try {
    const html = await (await request.get(`/u/${subject.username}`)).text();
    expect(mentions(html, target)).toBe(false);
    const api = await (await request.get(`/api/public/${subject.username}/activity`)).text();
    expect(mentions(api, target)).toBe(false);
  } finally {
    await toggle.click();
    await expect(toggle).toBeChecked();
  }
  expect(mentions(await (await request.get(`/u/${subject.username}`)).text(), target)).toBe(true);
});
