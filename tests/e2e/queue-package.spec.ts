import { expect, test } from '@playwright/test';
import { E2E, signIn, step } from './support';

const auth = { authorization: `Bearer ${E2E.apiKey}` };

// queue-package.md's "Implementation Example", rendered as written on the dashboard's Tasks page
// (components/queue/queue-monitor-example.tsx), in Chromium against the built app.
test('the queue package’s monitor example: a running task’s toast says Processing, the page settles, polling stops when idle', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));

  // A task an outside processor is working on: it stays PROCESSING until the test says otherwise.
  const created = await request.post('/api/jobs', {
    headers: auth,
    data: { type: 'document.review', payload: { title: 'Review e2e-doc' } },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await request.patch(`/api/jobs/${id}`, { headers: auth, data: { status: 'processing' } })).ok()).toBeTruthy();

  await signIn(page, '/tasks');
  const item = page.locator(`li[data-task-id="${id}"]`);
  await expect(item).toHaveAttribute('data-status', 'PROCESSING');
  await expect(page.getByRole('heading', { name: /^Active Tasks: [1-9]/ })).toBeVisible();

  // showToast({ id, status, data }) follows that task: Processing now, not Completed.
  const toast = page.getByTestId('task-toast').filter({ hasText: 'Review e2e-doc' });
  await expect(toast).toBeVisible();
  const shownAt = Date.now();
  await expect(toast).toHaveAttribute('data-phase', 'processing');
  await expect(step(toast, 'processing')).toHaveAttribute('data-state', 'current');
  await expect(step(toast, 'finished')).toHaveAttribute('data-state', 'upcoming');

  // The example's effects do not run without end: a few polls in 4 s, not a render loop.
  let polls = 0;
  page.on('request', (r) => {
    if (r.url().includes('/api/dashboard/queue-status')) polls++;
  });
  await page.waitForTimeout(4_000);
  expect(polls).toBeLessThanOrEqual(3);
  expect(errors.filter((e) => /Maximum update depth|Too many re-renders/.test(e))).toEqual([]);

  expect(
    (
      await request.patch(`/api/jobs/${id}`, {
        headers: auth,
        data: { status: 'completed', result: { verdict: 'ok' } },
      })
    ).ok(),
  ).toBeTruthy();
  await expect(toast).toHaveAttribute('data-phase', 'completed', { timeout: 20_000 });
  await expect(item).toHaveCount(0, { timeout: 20_000 });
  await expect(toast).toHaveCount(0, { timeout: 10_000 });

  // Nothing active any more: the monitor stops polling, once the 30 s of fast polling that follows a
  // new toast (Steady's, as after any dashboard action) has passed.
  await page.waitForTimeout(Math.max(0, shownAt + 32_000 - Date.now()));
  polls = 0;
  await page.waitForTimeout(12_000);
  expect(polls).toBe(0);
});
