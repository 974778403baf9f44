import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  cancelJob,
  claimJobs,
  cleanupOldJobs,
  compactStats,
  completeJobs,
  enqueueJob,
  failJob,
  getQueueStats,
  listJobs,
  setQueuePaused,
  JOB_STATUSES,
} from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { seedJobs, testTypes } from '../helpers/factories';

let t: TestDb;
const types = testTypes();
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

const DAY = 86_400_000;

async function countsFromRows() {
  const found = await t.db.execute(sql`select queue, status, count(*)::int as n from jobs group by 1, 2`);
  return found.map((r) => `${r.queue}/${r.status}=${r.n}`).sort();
}

describe('stats and cleanup', () => {
  it('stats agree with the rows through every kind of change', async () => {
    const now = new Date('2026-06-10T12:00:00Z');
    await seedJobs(t.db, types, 30, (i) => ({ type: i % 3 === 0 ? 'test.other' : 'test.noop' }), now);
    const claimed = await claimJobs(t.db, { workerId: 'w', limit: 12, leaseMs: 60_000, now });
    const ok = claimed.slice(0, 8);
    await completeJobs(t.db, {
      workerId: 'w',
      now: new Date(now.getTime() + 2000),
      items: ok.map((j) => ({ id: j.id, attempt: 1 })),
    });
    await failJob(t.db, { id: claimed[8].id, workerId: 'w', attempt: 1, error: 'x', now, permanent: true });
    await cancelJob(t.db, { id: claimed[9].id, now });
    await setQueuePaused(t.db, { name: 'other', paused: true, now });

    const stats = await getQueueStats(t.db, { now: new Date(now.getTime() + 3000) });
    const fromStats = Object.entries(stats.byQueue)
      .flatMap(([q, c]) => JOB_STATUSES.filter((s) => c[s] > 0).map((s) => `${q}/${s}=${c[s]}`))
      .sort();
    expect(fromStats).toEqual(await countsFromRows());
    expect(stats.totals).toMatchObject({ pending: 18, processing: 2, completed: 8, failed: 1, cancelled: 1 });
    expect(stats.completedToday).toBe(8);
    expect(stats.failedToday).toBe(1);
    expect(stats.pausedQueues).toEqual(['other']);
    expect(stats.throughput).toHaveLength(60);
    expect(stats.throughput.at(-1)).toMatchObject({ completed: 8, failed: 1 });
    expect(stats.oldestPendingAgeMs).toBe(3000);
    const noop = stats.durations.find((d) => d.type === 'test.noop' || d.type === 'test.other');
    expect(noop?.p95Ms).toBe(2000);

    // folding the counter deltas changes nothing a reader sees
    expect(await compactStats(t.db, { now })).toBe(true);
    const [{ n }] = await t.db.execute(sql`select count(*)::int as n from job_counts`);
    expect(n).toBeLessThanOrEqual((await countsFromRows()).length * 2);
    const again = await getQueueStats(t.db, { now: new Date(now.getTime() + 3000) });
    expect(again.byQueue).toEqual(stats.byQueue);
  });

  it('cleanup removes only finished jobs older than the cutoff, with their history, in batches', async () => {
    await t.db.execute(
      sql`delete from jobs; delete from job_events; delete from job_counts; update queues set paused = false`,
    );
    const old = new Date('2026-06-01T00:00:00Z');
    const now = new Date(old.getTime() + 10 * DAY);
    await seedJobs(t.db, types, 25, () => ({}), old);
    const claimedOld = await claimJobs(t.db, { workerId: 'w', limit: 20, leaseMs: 60_000, now: old });
    await completeJobs(t.db, {
      workerId: 'w',
      now: old,
      items: claimedOld.slice(0, 15).map((j) => ({ id: j.id, attempt: 1 })),
    });
    for (const j of claimedOld.slice(15, 18)) {
      await failJob(t.db, { id: j.id, workerId: 'w', attempt: 1, error: 'x', now: old, permanent: true });
    }
    // old but unfinished: 5 pending, 2 processing. Recent and finished: 4.
    const recent = await seedJobs(t.db, types, 4, () => ({ type: 'test.other' }), now);
    const claimedNew = await claimJobs(t.db, { workerId: 'w', limit: 4, leaseMs: 60_000, now, types: ['test.other'] });
    await completeJobs(t.db, { workerId: 'w', now, items: claimedNew.map((j) => ({ id: j.id, attempt: 1 })) });
    expect(claimedNew).toHaveLength(recent.length);

    const result = await cleanupOldJobs(t.db, { olderThan: new Date(now.getTime() - 7 * DAY), now, batchSize: 4 });
    expect(result.deleted).toEqual({ completed: 15, failed: 3, cancelled: 0 });
    expect(result.batches).toBe(5);
    expect(result.done).toBe(true);
    expect(await countsFromRows()).toEqual(['other/completed=4', 'test/pending=5', 'test/processing=2']);
    const [{ orphans }] = await t.db.execute(
      sql`select count(*)::int as orphans from job_events e where not exists (select 1 from jobs j where j.id = e.job_id)`,
    );
    expect(orphans).toBe(0);
    const stats = await getQueueStats(t.db, { now });
    expect(stats.totals).toMatchObject({ completed: 4, failed: 0, pending: 5, processing: 2 });
  });

  it('lists newest first with filters and a cursor that walks every row once', async () => {
    await t.db.execute(sql`delete from jobs; delete from job_events; delete from job_counts`);
    const base = new Date('2026-06-20T00:00:00Z');
    for (let i = 0; i < 23; i++) {
      await enqueueJob(
        t.db,
        types,
        {
          type: i % 2 ? 'test.other' : 'test.noop',
          correlationId: i === 5 ? 'corr-5' : undefined,
          dedupKey: `list-${i}`,
        },
        { now: new Date(base.getTime() + i * 1000) },
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listJobs(t.db, {}, { limit: 10, cursor });
      seen.push(...page.items.map((j) => j.dedupKey!));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `list-${22 - i}`));
    expect((await listJobs(t.db, { type: 'test.other' })).items).toHaveLength(11);
    expect((await listJobs(t.db, { search: 'corr-5' })).items.map((j) => j.dedupKey)).toEqual(['list-5']);
    expect((await listJobs(t.db, { search: 'list-1' })).items.length).toBe(1 + 10);
    expect((await listJobs(t.db, { search: "x' or 1=1 --" })).items).toEqual([]);
    await expect(listJobs(t.db, {}, { cursor: 'bogus' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
