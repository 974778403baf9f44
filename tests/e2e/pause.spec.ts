import { expect, test } from '@playwright/test';
import { demoUserWithGithub, runProcessQueue, signIn } from './support';

test.afterEach(async ({ page }) => {
  await page.request.post('/api/dashboard/queues/sync', { data: { paused: false } });
});

test('a paused queue keeps its jobs pending through process-queue runs until resumed', async ({ page, request }) => {
  const user = demoUserWithGithub(3);
  await signIn(page);
  const row = page.locator('tr[data-queue="sync"]:visible');
  // A click that lands before the page has hydrated does nothing: click again until it takes.
  await expect(async () => {
    await row.getByRole('button', { name: 'Pause queue sync' }).click({ timeout: 2_000 });
    await expect(row.getByText('Paused', { exact: true })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByRole('status').filter({ hasText: 'Paused: sync' })).toBeVisible();

  const users = (await (await page.request.get('/api/dashboard/users')).json()).users as {
    id: string;
    username: string;
  }[];
  const userId = users.find((u) => u.username === user.username)!.id;
  const sync = await page.request.post(`/api/dashboard/users/${userId}/sync`, { data: {} });
  const { jobIds } = (await sync.json()) as { jobIds: string[] };
  expect(jobIds.length).toBeGreaterThan(0);

  // Two cron runs (plus the after-response run the sync triggered): none of the paused queue's jobs is claimed.
  for (let i = 0; i < 2; i++) {
    const run = await runProcessQueue(request);
    expect(run.jobs.filter((j) => jobIds.includes(j.id))).toEqual([]);
  }
  const statuses = async () => {
    const res = await page.request.get(`/api/dashboard/tasks?ids=${jobIds.join(',')}`);
    return ((await res.json()) as { tasks: { status: string }[] }).tasks.map((t) => t.status);
  };
  expect(await statuses()).toEqual(jobIds.map(() => 'pending'));

  await page.goto(`/jobs?user=${userId}`);
  await expect(page.locator('tbody tr[data-status="pending"]:visible')).toHaveCount(jobIds.length);

  // Resuming starts them right away (processing after the response), no cron needed.
  await page.goto('/');
  await row.getByRole('button', { name: 'Resume queue sync' }).click();
  await expect.poll(statuses, { timeout: 30_000 }).toEqual(jobIds.map(() => 'completed'));
});
