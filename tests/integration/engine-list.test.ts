import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  cancelJob,
  claimJobs,
  completeJobs,
  failJob,
  getJob,
  getJobEvents,
  getQueueStats,
  listJobs,
  pauseJob,
  rescueAndClaimJobs,
  type Job,
} from '@/lib/queue';
import { enqueueAllUsersSync } from '@/lib/sync/enqueue';
import { readFileSync } from 'node:fs';
import path from 'node:path';
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

const USER = '0190a5b2-7c4e-7000-8000-00000000000a';
const MIN = 60_000;

async function everyPage(filter: Parameters<typeof listJobs>[1], limit: number): Promise<Job[]> {
  const seen: Job[] = [];
  let cursor: string | null = null;
  do {
    const page = await listJobs(t.db, filter, { limit, cursor });
    seen.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe('listing jobs in every status', () => {
  it('merges live and settled rows newest first, across pages, whatever their status', async () => {
    const start = new Date('2026-05-01T08:00:00Z');
    // Twelve jobs a minute apart, each made with its own (past) now, then moved to six statuses.
    const made: Job[] = [];
    for (let i = 0; i < 12; i++) {
      const at = new Date(start.getTime() + i * MIN);
      made.push(
        ...(await seedJobs(t.db, types, 1, () => ({ payload: { n: i }, dedupKey: `mix-${i}`, userId: USER }), at)),
      );
    }
    const later = new Date(start.getTime() + 60 * MIN);
    const claimed = await claimJobs(t.db, { workerId: 'w', limit: 6, leaseMs: 10 * MIN, now: later });
    expect(claimed.map((j) => j.payload)).toEqual([0, 1, 2, 3, 4, 5].map((n) => ({ n })));
    await completeJobs(t.db, {
      workerId: 'w',
      now: later,
      items: claimed.slice(0, 2).map((j) => ({ id: j.id, attempt: 1 })),
    });
    await failJob(t.db, { id: claimed[2].id, workerId: 'w', attempt: 1, error: 'boom', now: later, permanent: true });
    await cancelJob(t.db, { id: claimed[3].id, now: later });
    await pauseJob(t.db, { id: made[6].id, now: later });
    // made[4], made[5] processing; made[7..11] pending (6 paused).

    const all = await everyPage({}, 5);
    expect(all.map((j) => j.payload)).toEqual(Array.from({ length: 12 }, (_, i) => ({ n: 11 - i })));
    expect(new Set(all.map((j) => j.status))).toEqual(
      new Set(['pending', 'processing', 'completed', 'failed', 'cancelled', 'paused']),
    );

    const statusOf = (jobs: Job[]) => jobs.map((j) => `${(j.payload as { n: number }).n}:${j.status}`);
    expect(statusOf(await everyPage({ statuses: ['pending', 'completed'] }, 2))).toEqual([
      '11:pending',
      '10:pending',
      '9:pending',
      '8:pending',
      '7:pending',
      '1:completed',
      '0:completed',
    ]);
    expect(statusOf(await everyPage({ statuses: ['processing', 'paused', 'failed'] }, 1))).toEqual([
      '6:paused',
      '5:processing',
      '4:processing',
      '2:failed',
    ]);
    // Filters that the settled rows' indexes serve find live rows too.
    expect(statusOf(await everyPage({ userId: USER, statuses: ['processing', 'cancelled'] }, 10))).toEqual([
      '5:processing',
      '4:processing',
      '3:cancelled',
    ]);
    expect(statusOf((await listJobs(t.db, { search: 'mix-9' })).items)).toEqual(['9:pending']);
    expect(statusOf((await listJobs(t.db, { search: 'mix-1' })).items)).toEqual([
      '11:pending',
      '10:pending',
      '1:completed',
    ]);
    expect(statusOf((await listJobs(t.db, { search: 'mix-3', queue: 'test' })).items)).toEqual(['3:cancelled']);
    expect((await listJobs(t.db, { queue: 'other' })).items).toEqual([]);
  });

  it('gives each job an id that orders it by the time it was enqueued at', async () => {
    const jobs = await seedJobs(t.db, types, 3, (i) => ({ payload: { n: 100 + i } }), new Date('2020-01-01T00:00:00Z'));
    const [{ ms }] = await t.db.execute<{ ms: string }>(
      sql`select (extract(epoch from created_at) * 1000)::bigint::text as ms from jobs where id = ${jobs[0].id}`,
    );
    expect(parseInt(jobs[0].id.replace(/-/g, '').slice(0, 12), 16)).toBe(Number(ms));
    const oldest = await everyPage({ search: undefined }, 200);
    expect(oldest.slice(-3).map((j) => j.id)).toEqual([jobs[2].id, jobs[1].id, jobs[0].id]);
  });
});

describe('set-based sync-all in parts', () => {
  it('creates each user and platform task exactly once however many parts run side by side', async () => {
    await t.db.execute(sql`
      insert into users (username, display_name) select 'part' || g, 'Part ' || g from generate_series(1, 40) g`);
    await t.db.execute(sql`
      insert into platform_connections (user_id, platform, handle)
      select u.id, p::platform, u.username from users u cross join unnest('{github,youtube,twitter}'::text[]) p
      where u.username like 'part%'`);
    const now = new Date('2026-05-02T12:00:00Z');
    const first = await enqueueAllUsersSync(t.db, { date: '2026-05-02', now, parts: 3 });
    expect(first).toMatchObject({ created: 120, existing: 0 });
    const again = await enqueueAllUsersSync(t.db, { date: '2026-05-02', now, parts: 2 });
    expect(again).toMatchObject({ created: 0, existing: 120 });
    const [r] = await t.db.execute<{ n: number; keys: number; ids: number }>(sql`
      select count(*)::int as n, count(distinct dedup_key)::int as keys, count(distinct id)::int as ids
      from jobs where type = 'sync.platform'`);
    expect(r).toEqual({ n: 120, keys: 120, ids: 120 });
    // Their ids carry the call's now, as enqueueJobs' do.
    const [c] = await t.db.execute<{ off: number }>(sql`
      select count(*)::int as off from jobs where type = 'sync.platform'
        and abs(extract(epoch from created_at) * 1000 - ('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint) > 5`);
    expect(c.off).toBe(0);
  });
});

describe('the claim', () => {
  it('hands back each job as the database now holds it, though it reads back only what it did not set', async () => {
    const made = await seedJobs(t.db, types, 3, (i) => ({
      queue: 'claim-shape',
      payload: { n: 300 + i },
      userId: USER,
      correlationId: `corr-${i}`,
      stage: i === 1 ? 'scrape' : undefined,
    }));
    const now = new Date(Date.now() + 1_000);
    const claimed = await claimJobs(t.db, {
      workerId: 'shape-worker',
      limit: 5,
      leaseMs: MIN,
      now,
      queues: ['claim-shape'],
    });
    expect(claimed.map((j) => j.id).sort()).toEqual(made.map((j) => j.id).sort());
    for (const job of claimed) {
      expect(job).toEqual(await getJob(t.db, job.id));
      expect(job).toMatchObject({
        status: 'processing',
        lockedBy: 'shape-worker',
        attempts: 1,
        startedAt: now,
        updatedAt: now,
      });
      expect(job.lockedUntil).toEqual(new Date(now.getTime() + MIN));
    }
  });

  it('commits without waiting for its WAL flush only when it is its own transaction', async () => {
    await seedJobs(t.db, types, 2, (i) => ({ payload: { n: 200 + i } }));
    // Inside a caller's transaction the caller's writes share the commit: the setting stays theirs.
    const inside = await t.db.transaction(async (tx) => {
      await tx.execute(sql`set local synchronous_commit = on`);
      const claimed = await claimJobs(tx, { workerId: 'w2', limit: 1, leaseMs: MIN, now: new Date() });
      const [s] = await tx.execute<{ v: string }>(sql`select current_setting('synchronous_commit') as v`);
      return { n: claimed.length, v: s.v };
    });
    expect(inside).toEqual({ n: 1, v: 'on' });
    // On its own, the claim's statement turns it off for its implicit transaction, and only that one.
    const [before] = await t.db.execute<{ v: string }>(sql`select current_setting('synchronous_commit') as v`);
    const own = await claimJobs(t.db, { workerId: 'w2', limit: 1, leaseMs: MIN, now: new Date() });
    expect(own).toHaveLength(1);
    const [after] = await t.db.execute<{ v: string }>(sql`select current_setting('synchronous_commit') as v`);
    expect(after.v).toBe(before.v);
  });

  it('rescues expired leases and claims in one statement, with history and counts for both', async () => {
    const t0 = new Date('2026-07-01T00:00:00Z');
    const jobs = await seedJobs(t.db, types, 3, (i) => ({ type: 'test.other', payload: { n: 300 + i } }), t0);
    const lost = await claimJobs(t.db, { workerId: 'gone', limit: 2, leaseMs: 1_000, now: t0, types: ['test.other'] });
    expect(lost.map((j) => j.id)).toEqual([jobs[0].id, jobs[1].id]);

    const later = new Date(t0.getTime() + 5_000);
    const [expired] = await t.db.execute<{ n: number }>(sql`
      select count(*)::int as n from jobs where status = 'processing' and locked_until < ${later.toISOString()}::timestamptz`);
    expect(expired.n).toBeGreaterThanOrEqual(2); // these two, and any earlier test's that ended before
    const r = await rescueAndClaimJobs(t.db, {
      workerId: 'next',
      limit: 5,
      leaseMs: MIN,
      now: later,
      types: ['test.other'],
    });
    expect(r.rescued).toBe(expired.n);
    // The statement saw the rescued rows as they were: only the third job was pending to it.
    expect(r.jobs.map((j) => [j.id, j.lockedBy])).toEqual([[jobs[2].id, 'next']]);

    const rescuedEvents = await getJobEvents(t.db, jobs[0].id);
    expect(rescuedEvents.at(-1)).toMatchObject({
      fromStatus: 'processing',
      toStatus: 'pending',
      worker: 'gone',
      message: expect.stringContaining('Lease expired'),
    });
    expect((await getJobEvents(t.db, jobs[2].id)).at(-1)).toMatchObject({
      fromStatus: 'pending',
      toStatus: 'processing',
      worker: 'next',
      message: null,
    });

    const again = await claimJobs(t.db, {
      workerId: 'next',
      limit: 5,
      leaseMs: MIN,
      now: later,
      types: ['test.other'],
    });
    expect(again.map((j) => [j.id, j.attempts])).toEqual([
      [jobs[0].id, 2],
      [jobs[1].id, 2],
    ]);
    const stats = await getQueueStats(t.db, { now: later });
    const [actual] = await t.db.execute<{ processing: number; pending: number }>(sql`
      select count(*) filter (where status = 'processing')::int as processing,
             count(*) filter (where status = 'pending')::int as pending
      from jobs where queue = 'other'`);
    expect({ processing: stats.byQueue.other.processing, pending: stats.byQueue.other.pending }).toEqual(actual);
  });
});

describe('migration 0009', () => {
  it('gives rows with random ids new ones made from their created_at, and moves their history along', async () => {
    const old = '4b0a1a9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    await t.db.execute(sql`
      insert into jobs (id, queue, type, payload, status, created_at, updated_at, completed_at)
      values (${old}, 'test', 'test.noop', '{}', 'completed', '2024-02-03T04:05:06.789Z', now(), now())`);
    await t.db.execute(sql`insert into job_events (job_id, to_status) values (${old}, 'completed')`);
    const file = path.resolve(import.meta.dirname, '../../drizzle/migrations/0009_ids_from_created_at.sql');
    // One session, as the migrator runs it: the mapping is a temporary table.
    await t.db.transaction(async (tx) => {
      for (const statement of readFileSync(file, 'utf8').split('--> statement-breakpoint')) {
        await tx.execute(sql.raw(statement));
      }
    });
    const [moved] = await t.db.execute<{ id: string }>(sql`
      select id::text as id from jobs where created_at = '2024-02-03T04:05:06.789Z'`);
    expect(moved.id).not.toBe(old);
    expect(parseInt(moved.id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse('2024-02-03T04:05:06.789Z'));
    expect((await getJobEvents(t.db, moved.id)).map((e) => e.toStatus)).toEqual(['completed']);
    expect(await getJobEvents(t.db, old)).toEqual([]);
    // Time-ordered ids are left as they are.
    const [{ n }] = await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from jobs where substr(id::text, 15, 1) <> '7'`,
    );
    expect(n).toBe(0);
  });
});
