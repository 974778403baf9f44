import { expect, test, type Page } from '@playwright/test';
import { E2E, demoUserWithGithub, fakeControl, jobFilter, jobRows, signIn, snap, taskToast } from './support';

test.afterEach(async ({ page, request }) => {
  await fakeControl(request, { clearFaults: true });
  await page.request.post('/api/dashboard/queues/sync', { data: { paused: false } });
});

async function userId(page: Page, username: string): Promise<string> {
  const { users } = (await (await page.request.get('/api/dashboard/users')).json()) as {
    users: { id: string; username: string }[];
  };
  return users.find((u) => u.username === username)!.id;
}

test('cancel everything matching a filter, then retry a selection of rows', async ({ page }, testInfo) => {
  const user = demoUserWithGithub(4, 2);
  await signIn(page);
  const id = await userId(page, user.username);
  // Paused, so the jobs are still unfinished when the filter's "Cancel all" reaches them.
  expect((await page.request.post('/api/dashboard/queues/sync', { data: { paused: true } })).ok()).toBeTruthy();
  const { jobIds } = (await (await page.request.post(`/api/dashboard/users/${id}/sync`, { data: {} })).json()) as {
    jobIds: string[];
  };
  expect(jobIds.length).toBeGreaterThan(1);

  await page.goto(`/jobs?user=${id}&status=pending`);
  const row = (jobId: string) => jobRows(page, jobId);
  for (const j of jobIds) await expect(row(j)).toHaveAttribute('data-status', 'pending');

  await page.getByRole('button', { name: 'Cancel all' }).click();
  await expect(page.getByText('Cancel all unfinished jobs matching the filter?')).toBeVisible();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText(/^Cancelled \d+ jobs$/)).toBeVisible();
  await expect(row(jobIds[0])).toHaveCount(0);

  await jobFilter(page, 'Status').selectOption('cancelled');
  for (const j of jobIds) await expect(row(j)).toHaveAttribute('data-status', 'cancelled');

  // Resume, then retry two of them by selection: a toast follows both to completion.
  expect((await page.request.post('/api/dashboard/queues/sync', { data: { paused: false } })).ok()).toBeTruthy();
  const picked = jobIds.slice(0, 2);
  for (const j of picked) await row(j).getByRole('checkbox').check();
  await expect(page.getByText('2 selected')).toBeVisible();
  await snap(page, testInfo, 'jobs-selection');
  await page.getByRole('button', { name: 'Retry selected' }).click();
  const toast = taskToast(page, 'Retry 2 jobs');
  await expect(toast).toHaveAttribute('data-phase', 'completed', { timeout: 30_000 });
  await expect(toast).toContainText('2 of 2 done');

  await jobFilter(page, 'Status').selectOption('');
  for (const j of picked) await expect(row(j)).toHaveAttribute('data-status', 'completed');
  for (const j of jobIds.slice(2)) await expect(row(j)).toHaveAttribute('data-status', 'cancelled');
});

test('a selection ends when the page changes, so "Cancel selected" cannot reach rows out of sight', async ({
  page,
}) => {
  const user = demoUserWithGithub(5, 2);
  await signIn(page);
  const id = await userId(page, user.username);
  expect((await page.request.post('/api/dashboard/queues/sync', { data: { paused: true } })).ok()).toBeTruthy();
  // More than one page of pending jobs: a sync of each of the last 14 days.
  const today = new Date();
  for (let back = 1; back <= 14; back++) {
    const date = new Date(today.getTime() - back * 86_400_000).toISOString().slice(0, 10);
    const res = await page.request.post(`/api/users/${id}/sync`, {
      headers: { authorization: `Bearer ${E2E.cronSecret}` },
      data: { date },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
  }

  await page.goto(`/jobs?user=${id}&status=pending`);
  const checkboxes = page.locator('tbody').getByRole('checkbox');
  await checkboxes.nth(0).check();
  await checkboxes.nth(1).check();
  await expect(page.getByText('2 selected')).toBeVisible();
  await page.getByRole('button', { name: 'Older →' }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.getByText('Select rows to act on them')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel selected' })).toBeDisabled();
  await page.getByRole('button', { name: '← Newest' }).click();
  await expect(page.getByText('Select rows to act on them')).toBeVisible();

  const cancelled = await page.request.post('/api/dashboard/jobs/actions', {
    data: { action: 'cancel', filter: { user: id } },
  });
  expect(cancelled.ok()).toBeTruthy();
});
