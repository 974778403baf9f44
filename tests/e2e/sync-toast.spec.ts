import { expect, test } from '@playwright/test';
import {
  demoUserWithGithub,
  fakeControl,
  jobFilter,
  jobRows,
  signIn,
  snap,
  step,
  taskToast,
  userCard,
} from './support';

test.afterEach(async ({ page, request }) => {
  await fakeControl(request, { clearFaults: true });
  // Leave the sync queue running for the next test whatever happened here.
  await page.request.post('/api/dashboard/queues/sync', { data: { paused: false } });
});

test('Sync now: the toast walks Added → Waiting → Processing → Completed, across pages, and the jobs show completed', async ({
  page,
  request,
}, testInfo) => {
  const user = demoUserWithGithub(0);
  await signIn(page);

  // Paused, so the jobs wait where a person can see them waiting.
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await snap(page, testInfo, 'overview');
  const syncRow = page.locator('tr[data-queue="sync"]:visible');
  await syncRow.getByRole('button', { name: 'Pause queue sync' }).click();
  await expect(syncRow.getByText('Paused', { exact: true })).toBeVisible();

  // A slow GitHub answer keeps the job in Processing long enough to be seen there.
  await fakeControl(request, {
    addFaults: [{ platform: 'github', handle: user.githubHandle, mode: 'slow', delayMs: 4_000, times: 1 }],
  });

  await page.getByRole('link', { name: 'Users' }).click();
  const card = userCard(page, user.username);
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && /\/api\/dashboard\/users\/[^/]+\/sync$/.test(r.url()),
  );
  await card.getByRole('button', { name: `Sync now: ${user.username}` }).click();
  const { jobIds } = (await (await answered).json()) as { jobIds: string[] };
  expect(jobIds).toHaveLength(user.connections.filter((c) => c.enabled).length);

  const toast = taskToast(page, `Sync ${user.username}`);
  await expect(toast).toBeVisible();
  await expect(step(toast, 'added')).toHaveAttribute('data-state', 'done');
  await expect(step(toast, 'waiting')).toHaveAttribute('data-state', 'current');
  await expect(toast).toContainText('Queue sync is paused');
  await snap(page, testInfo, 'users-toast-waiting', { fullPage: false });

  // The user's public page is outside the dashboard: no toast stuck there mid-step, and coming back
  // shows it again, still following the jobs.
  await card.getByRole('link', { name: `@${user.username}` }).click();
  await expect(page.getByText('Current streak')).toBeVisible();
  await expect(page.getByTestId('task-toast')).toHaveCount(0);
  await page.goBack();
  await expect(toast).toBeVisible();
  await expect(step(toast, 'waiting')).toHaveAttribute('data-state', 'current');

  // Offline, the toast says why it is not moving; back online, the note goes.
  await page.context().setOffline(true);
  await expect(toast).toContainText('Offline: the jobs are checked again once the connection is back');
  await page.context().setOffline(false);
  await expect(toast).toContainText('Queue sync is paused');

  // Navigate away and resume: the same toast keeps following the jobs.
  await page.getByRole('link', { name: 'Overview' }).click();
  await expect(toast).toBeVisible();
  await page.locator('tr[data-queue="sync"]:visible').getByRole('button', { name: 'Resume queue sync' }).click();

  await expect(step(toast, 'processing')).toHaveAttribute('data-state', 'current');
  await expect(step(toast, 'waiting')).toHaveAttribute('data-state', 'done');
  await snap(page, testInfo, 'overview-toast-processing', { fullPage: false });
  await expect(toast).toHaveAttribute('data-phase', 'completed', { timeout: 30_000 });
  await expect(step(toast, 'finished')).toHaveAttribute('data-state', 'done');
  await expect(step(toast, 'finished')).toHaveText(/Completed/);
  await expect(page.getByTestId('task-toast')).toHaveCount(1);
  await snap(page, testInfo, 'overview-toast-completed', { fullPage: false });

  // The jobs table, filtered to this user, shows every sync job completed.
  await page.getByRole('link', { name: 'Jobs' }).click();
  await jobFilter(page, 'User').selectOption({ label: user.username });
  await expect(page).toHaveURL(/user=[0-9a-f-]{36}/);
  for (const id of jobIds) {
    await expect(jobRows(page, id).getByText('Completed', { exact: true })).toBeVisible();
  }
  // Every row the filter leaves is this user's.
  for (const cell of await jobRows(page).locator('td:nth-child(5)').all()) await expect(cell).toHaveText(user.username);
  await snap(page, testInfo, 'jobs');

  // The completed toast goes away by itself.
  await expect(page.getByTestId('task-toast')).toHaveCount(0, { timeout: 10_000 });
});
