import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformConnections, users } from '@/drizzle/schema';
import { claimJobs, completeJobs, enqueueJobs, failJob, type Job } from '@/lib/queue';
import { cancelTarget, getJobDetail, listJobPage, retryTarget } from '@/lib/dashboard/jobs';
import { getTaskStatuses } from '@/lib/dashboard/tasks';
import { listUsersWithConnections, setPlatformPrivacy } from '@/lib/dashboard/users';
import { loadDashboardStats } from '@/lib/dashboard/stats';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { testTypes } from '../helpers/factories';

let t: TestDb;
const types = testTypes();
const now = new Date('2026-06-01T12:00:00Z');
const opts = { now, actor: 'test' };
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

/** n jobs on `queue` (test or other), claimed and then failed or completed as asked. */
async function jobsIn(
  type: 'test.noop' | 'test.other',
  outcome: 'failed' | 'completed' | 'pending',
  n: number,
): Promise<Job[]> {
  const made = (
    await enqueueJobs(
      t.db,
      types,
      Array.from({ length: n }, (_, i) => ({ type, payload: { n: i } })),
      { now },
    )
  ).map((r) => r.job);
  if (outcome === 'pending') return made;
  const claimed = await claimJobs(t.db, { workerId: 'w', limit: n, leaseMs: 60_000, now, types: [type] });
  expect(claimed.map((j) => j.id).sort()).toEqual(made.map((j) => j.id).sort());
  if (outcome === 'completed') {
    await completeJobs(t.db, {
      workerId: 'w',
      now,
      items: claimed.map((j) => ({ id: j.id, attempt: j.attempts, result: { ok: true } })),
    });
  } else {
    for (const j of claimed)
      await failJob(t.db, { id: j.id, workerId: 'w', attempt: j.attempts, error: 'boom', now, permanent: true });
  }
  return made;
}

describe('dashboard reads and bulk actions', () => {
  it('retries only the failed jobs matching the filter, and cancels only unfinished ones', async () => {
    const failedTest = await jobsIn('test.noop', 'failed', 3);
    const failedOther = await jobsIn('test.other', 'failed', 2);
    const done = await jobsIn('test.noop', 'completed', 2);

    const retried = await retryTarget(t.db, { filter: { queue: 'test' } }, opts);
    expect(retried.sort()).toEqual(failedTest.map((j) => j.id).sort());

    // "Cancel all completed" is a filter no unfinished job can match: nothing happens.
    expect(await cancelTarget(t.db, { filter: { status: 'completed' } }, opts)).toEqual([]);
    const cancelled = await cancelTarget(t.db, { filter: { queue: 'test' } }, opts);
    expect(cancelled.sort()).toEqual(failedTest.map((j) => j.id).sort());

    const statuses = await getTaskStatuses(
      t.db,
      [...failedOther, ...done].map((j) => j.id),
    );
    expect(
      statuses.tasks
        .filter((s) => s.status === 'failed')
        .map((s) => s.id)
        .sort(),
    ).toEqual(failedOther.map((j) => j.id).sort());
    expect(statuses.tasks.filter((s) => s.status === 'completed')).toHaveLength(2);
  });

  it('retries a selection by id and explains why a single job cannot be retried', async () => {
    const [a, b] = await jobsIn('test.noop', 'failed', 2);
    const [pending] = await jobsIn('test.noop', 'pending', 1);
    expect((await retryTarget(t.db, { ids: [a.id, b.id] }, opts)).sort()).toEqual([a.id, b.id].sort());
    await expect(retryTarget(t.db, { ids: [pending.id] }, opts)).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('reports missing ids for jobs that no longer exist', async () => {
    const [job] = await jobsIn('test.noop', 'pending', 1);
    const gone = '00000000-0000-4000-8000-000000000001';
    const r = await getTaskStatuses(t.db, [job.id, gone]);
    expect(r.tasks.map((s) => [s.id, s.status])).toEqual([[job.id, 'pending']]);
    expect(r.missing).toEqual([gone]);
  });

  it('pages the job list with a cursor and serves the detail with its history', async () => {
    await jobsIn('test.other', 'completed', 5);
    const first = await listJobPage(t.db, { queue: 'other', status: 'completed', limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await listJobPage(t.db, {
      queue: 'other',
      status: 'completed',
      limit: 3,
      cursor: first.nextCursor!,
    });
    const ids = [...first.items, ...second.items].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    const detail = await getJobDetail(t.db, first.items[0].id);
    expect(detail.job.result).toEqual({ ok: true });
    expect(detail.events.map((e) => e.toStatus).slice(-2)).toEqual(['processing', 'completed']);
  });

  it('gathers the overview: counts per queue, default queues, recent jobs', async () => {
    const stats = await loadDashboardStats(t.db, { now });
    expect(stats.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['sync', 'default']));
    expect(stats.byQueue.other.failed).toBe(2);
    expect(stats.throughput).toHaveLength(60);
    expect(stats.recentFailed.every((j) => j.status === 'failed')).toBe(true);
  });
});

describe('users for the dashboard', () => {
  it('lists connections with privacy, and a toggle changes only that platform', async () => {
    const [u] = await t.db
      .insert(users)
      .values({ username: 'dash-user', displayName: 'Dash User', instagramPrivate: true })
      .returning();
    await t.db.insert(platformConnections).values([
      { userId: u.id, platform: 'github', handle: 'dash-user', lastSyncedAt: '2026-05-31T10:00:00Z' },
      { userId: u.id, platform: 'instagram', handle: '1784000', lastSyncedAt: '2026-05-31T11:00:00Z' },
    ]);
    const [listed] = (await listUsersWithConnections(t.db)).filter((x) => x.id === u.id);
    expect(listed.connections.map((c) => [c.platform, c.private])).toEqual([
      ['github', false],
      ['instagram', true],
    ]);
    expect(listed.lastSyncedAt).toBe('2026-05-31T11:00:00.000Z');

    const privacy = await setPlatformPrivacy(t.db, { userId: u.id, platform: 'github', private: true, now });
    expect(privacy).toEqual({ github: true, youtube: false, twitter: false, instagram: true });
    await expect(
      setPlatformPrivacy(t.db, {
        userId: '00000000-0000-4000-8000-000000000002',
        platform: 'github',
        private: true,
        now,
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
