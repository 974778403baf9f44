import { expect, test } from '@playwright/test';
import { signIn } from './support';

test.afterEach(async ({ page }) => {
  // Back to the default of migration 0015 for the specs that sync GitHub.
  await page.request.put('/api/limits/github', { data: { concurrency: 1 } });
  await page.request.delete('/api/limits/e2e-key').catch(() => {});
});

test('an operator reads the platform limits, changes one, is told why a bad value was refused, and adds a key', async ({
  page,
}) => {
  await signIn(page, '/limits');
  const github = page.locator('tr[data-limit="github"]');
  await expect(github).toContainText('running of 1');
  await expect(github).toContainText('4,900 / hour');

  await github.getByLabel('At once').fill('2');
  await github.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved limit github')).toBeVisible();
  await expect(github).toContainText('running of 2');

  await github.getByLabel('At once').fill('-1');
  await github.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Could not save limit github')).toBeVisible();
  await expect(page.locator('[data-sonner-toast]').filter({ hasText: 'Could not save limit github' })).toContainText(
    'concurrency',
  );
  await expect(github).toContainText('running of 2');

  const add = page.getByRole('form', { name: 'Add a limit' });
  await add.getByLabel('Key').fill('e2e-key');
  await add.getByLabel('Starts').fill('10');
  await add.getByLabel('Per').selectOption('second');
  await add.getByRole('button', { name: 'Add limit' }).click();
  await expect(page.locator('tr[data-limit="e2e-key"]')).toContainText('10 / second');
  await expect(page.locator('.limit-events')).toContainText('e2e-key');
});

test('a job held by a cool-down says so on its page', async ({ page }) => {
  await signIn(page, '/limits');
  const started = await page.request.post('/api/limits/github/cooldown', { data: { seconds: 600 } });
  expect(started.ok()).toBeTruthy();
  try {
    await page.reload();
    await expect(page.locator('tr[data-limit="github"]')).toContainText('Cooling down until');
    const users = (await (await page.request.get('/api/dashboard/users')).json()).users as {
      id: string;
      connections: { platform: string; enabled: boolean }[];
    }[];
    const user = users.find((u) => u.connections.some((c) => c.platform === 'github' && c.enabled))!;
    const sync = await page.request.post(`/api/users/${user.id}/sync`, { data: { platforms: ['github'] } });
    expect(sync.ok(), await sync.text()).toBeTruthy();
    const { jobs } = (await sync.json()) as { jobs: { id: string }[] };
    await page.goto(`/jobs/${jobs[0].id}`);
    await expect(page.getByRole('note').filter({ hasText: 'Waiting on a limit' })).toContainText(
      'github is cooling down until',
    );

    // The jobs list finds it among those a limit holds, and nothing that is not held.
    await page.goto('/jobs');
    await page.getByLabel('Waiting').selectOption('limit');
    await expect(page).toHaveURL(/waiting=limit/);
    await expect(page.locator(`a[href="/jobs/${jobs[0].id}"]`)).toBeVisible();
    await page.request.delete('/api/limits/github/cooldown');
    await page.reload();
    await expect(page.locator(`a[href="/jobs/${jobs[0].id}"]`)).toHaveCount(0);
  } finally {
    await page.request.delete('/api/limits/github/cooldown');
  }
});
