import { expect, test } from '@playwright/test';
import { E2E, signIn, snap } from './support';

test.describe('access', () => {
  test('dashboard API calls without a session get 401', async ({ request }) => {
    const calls = [
      request.get('/api/dashboard/stats'),
      request.get('/api/dashboard/jobs?status=failed'),
      request.get('/api/dashboard/jobs/00000000-0000-4000-8000-000000000000'),
      request.get('/api/dashboard/tasks?ids=00000000-0000-4000-8000-000000000000'),
      request.get('/api/dashboard/users'),
      request.post('/api/dashboard/sync-all', { data: {} }),
      request.post('/api/dashboard/process', { data: {} }),
      request.post('/api/dashboard/queues/sync', { data: { paused: true } }),
      request.post('/api/dashboard/jobs/actions', { data: { action: 'retry', filter: {} } }),
      request.post('/api/dashboard/users/00000000-0000-4000-8000-000000000000/sync', { data: {} }),
      request.post('/api/dashboard/users/00000000-0000-4000-8000-000000000000/privacy', {
        data: { platform: 'github', private: true },
      }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status(), res.url()).toBe(401);
      expect((await res.json()).error).toMatch(/sign in/i);
    }
    // A cookie this server did not sign is no better than none.
    const forged = await request.get('/api/dashboard/stats', {
      headers: { cookie: 'steady_session=eyJleHAiOjk5OTk5OTk5OTk5OTl9.not-a-signature' },
    });
    expect(forged.status()).toBe(401);
  });

  test('signed-out pages go to sign-in; a wrong password is refused; sign out ends the session', async ({
    page,
    context,
  }, testInfo) => {
    await page.goto('/jobs');
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await snap(page, testInfo, 'login');

    await page.getByLabel('Dashboard password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'That password is not right.' })).toBeVisible();

    await signIn(page, '/jobs');
    await expect(page.getByRole('heading', { name: 'Jobs', level: 1 })).toBeVisible();
    const cookie = (await context.cookies()).find((c) => c.name === 'steady_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000);

    const stats = await page.request.get('/api/dashboard/stats');
    expect(stats.status()).toBe(200);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login\?signedOut=1/);
    expect((await page.request.get('/api/dashboard/stats')).status()).toBe(401);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login/);
  });

  test('the JSON sign-in answers 401 for a wrong password and sets the cookie for the right one', async ({
    request,
  }) => {
    const wrong = await request.post('/api/auth/login', { data: { password: 'nope-nope-nope' } });
    expect(wrong.status()).toBe(401);
    const right = await request.post('/api/auth/login', { data: { password: E2E.password } });
    expect(right.status()).toBe(200);
    expect(right.headers()['set-cookie']).toMatch(/steady_session=.+HttpOnly; SameSite=Lax; Max-Age=\d+/);
  });
});
