import { expect, test } from '@playwright/test';
import { demoUserWithGithub, fakeControl, signIn, snap, step, taskToast, userCard } from './support';

test.afterEach(async ({ request }) => {
  await fakeControl(request, { clearFaults: true });
});

test('a failing sync shows a Failed toast with the error; after the fault is cleared, its Retry completes', async ({
  page,
  request,
}, testInfo) => {
  const user = demoUserWithGithub(1);
  // The platform says the account does not exist: retrying cannot help, so the job fails at once.
  await fakeControl(request, { addFaults: [{ platform: 'github', handle: user.githubHandle, mode: 'not_found' }] });
  await signIn(page, '/users');

  await userCard(page, user.username)
    .getByRole('button', { name: `Sync now: ${user.username}` })
    .click();
  const toast = taskToast(page, `Sync ${user.username}`);
  await expect(toast).toHaveAttribute('data-phase', 'failed', { timeout: 30_000 });
  await expect(step(toast, 'finished')).toHaveText(/Failed/);
  await expect(toast).toContainText('404');
  const retry = toast.getByRole('button', { name: 'Retry' });
  await expect(retry).toBeVisible();
  await snap(page, testInfo, 'users-toast-failed', { fullPage: false });

  // The link leads to the failed job, with its error and history.
  await toast.getByRole('link', { name: 'View failed job' }).click();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('note').filter({ hasText: 'Failed:' })).toContainText('404');
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();
  await snap(page, testInfo, 'job-detail-failed');

  // Another action is followed to its end meanwhile: the toast's statuses then come from other jobs, and
  // the retried job's old "failed" answer must not be taken for its new run.
  const other = demoUserWithGithub(6);
  await page.getByRole('link', { name: 'Users' }).click();
  await userCard(page, other.username)
    .getByRole('button', { name: `Sync now: ${other.username}` })
    .click();
  await expect(taskToast(page, `Sync ${other.username}`)).toHaveAttribute('data-phase', 'completed', {
    timeout: 30_000,
  });
  await page.goBack();
  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);

  await fakeControl(request, { clearFaults: true });
  await retry.click();
  await expect(toast).toHaveAttribute('data-phase', 'completed', { timeout: 30_000 });
  await expect(step(toast, 'finished')).toHaveText(/Completed/);
  // The detail page, still open, catches up too.
  await expect(page.locator('.page-head:visible').getByText('Completed', { exact: true })).toBeVisible();
  await snap(page, testInfo, 'job-detail-completed');
});
