import { expect, test } from '@playwright/test';
import { demoUserWithGithub, fakeControl, jobFilter, jobRows, runProcessQueue, signIn, snap } from './support';

test.afterEach(async ({ request }) => {
  await fakeControl(request, { clearFaults: true });
});

test('filters narrow the jobs table, live in the URL and survive a reload', async ({ page, request }, testInfo) => {
  const user = demoUserWithGithub(2, 2);
  await signIn(page, '/users');
  const users = (await (await page.request.get('/api/dashboard/users')).json()).users as {
    id: string;
    username: string;
  }[];
  const userId = users.find((u) => u.username === user.username)!.id;

  // One failed and some completed jobs for this user, run by the cron route rather than the browser.
  await fakeControl(request, { addFaults: [{ platform: 'github', handle: user.githubHandle, mode: 'not_found' }] });
  const sync = await page.request.post(`/api/dashboard/users/${userId}/sync`, { data: {} });
  expect(sync.ok()).toBeTruthy();
  const { jobIds } = (await sync.json()) as { jobIds: string[] };
  await expect
    .poll(async () => {
      await runProcessQueue(request);
      const res = await page.request.get(`/api/dashboard/tasks?ids=${jobIds.join(',')}`);
      const { tasks } = (await res.json()) as { tasks: { status: string }[] };
      return tasks.every((t) => t.status === 'completed' || t.status === 'failed');
    })
    .toBe(true);

  const tasks = (await (await page.request.get(`/api/dashboard/tasks?ids=${jobIds.join(',')}`)).json()).tasks as {
    id: string;
    status: string;
  }[];
  const failedId = tasks.find((t) => t.status === 'failed')!.id;
  const completedIds = tasks.filter((t) => t.status === 'completed').map((t) => t.id);
  expect(completedIds.length).toBeGreaterThan(0);

  const rows = jobRows(page);
  const row = (id: string) => jobRows(page, id);
  /** Every row on screen satisfies `check`; the table is never empty while doing so. */
  const allRows = async (check: (r: ReturnType<typeof row>) => Promise<void>) => {
    await expect(rows.first()).toBeVisible();
    for (const r of await rows.all()) await check(r);
  };

  await page.goto('/jobs');
  await expect(rows.first()).toBeVisible();
  await jobFilter(page, 'User').selectOption({ label: user.username });
  await expect(page).toHaveURL(new RegExp(`user=${userId}`));
  for (const id of jobIds) await expect(row(id)).toBeVisible();
  await allRows((r) => expect(r.locator('td').nth(4)).toHaveText(user.username));

  await jobFilter(page, 'Status').selectOption('failed');
  await expect(page).toHaveURL(/status=failed/);
  await expect(row(failedId)).toContainText('404');
  for (const id of completedIds) await expect(row(id)).toHaveCount(0);
  await allRows((r) => expect(r).toHaveAttribute('data-status', 'failed'));

  await jobFilter(page, 'Queue').selectOption('sync');
  await expect(page).toHaveURL(/queue=sync/);
  await expect(row(failedId)).toBeVisible();

  await page.reload();
  await expect(jobFilter(page, 'Status')).toHaveValue('failed');
  await expect(jobFilter(page, 'Queue')).toHaveValue('sync');
  await expect(jobFilter(page, 'User')).toHaveValue(userId);
  await expect(row(failedId)).toBeVisible();
  for (const id of completedIds) await expect(row(id)).toHaveCount(0);
  await allRows(async (r) => {
    await expect(r).toHaveAttribute('data-status', 'failed');
    await expect(r.locator('td').nth(4)).toHaveText(user.username);
  });
  await snap(page, testInfo, 'jobs-filtered');

  // Text search on the dedup key prefix of this user's GitHub tasks leaves out the other platforms.
  await jobFilter(page, 'Status').selectOption('');
  for (const id of completedIds) await expect(row(id)).toBeVisible();
  await jobFilter(page, 'Search').fill(`sync:${userId}:github`);
  await jobFilter(page, 'Search').press('Enter');
  await expect(page).toHaveURL(/q=sync/);
  await expect(row(failedId)).toBeVisible();
  for (const id of completedIds) await expect(row(id)).toHaveCount(0);

  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page).toHaveURL(/\/jobs$/);
});
