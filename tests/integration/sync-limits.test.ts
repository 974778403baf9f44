/**
 * The sync workload under its platform limits, against the fake APIs: a 429 cools the whole platform
 * down after one request, the others keep going, and the platform resumes when the window ends without
 * spending attempts; concurrent process-queue runs never put more requests in flight than the cap.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setLimit, type JobTypes } from '@/lib/queue';
import { processQueue } from '@/lib/process-queue';
import { enqueueAllUsersSync } from '@/lib/sync/enqueue';
import { createSyncJobTypes } from '@/lib/sync/job-types';
import type { FakePlatforms } from '@/scripts/fake-platforms';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { createUsers, startFakePlatforms, testEnv } from './sync-harness';

let fake: FakePlatforms;
let t: TestDb;
let types: JobTypes;
const DAY = '2026-05-01';
const T0 = new Date('2026-05-02T12:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  fake = await startFakePlatforms({ port: 0, faults: [] });
  t = await createTestDb({ max: 20 });
  types = createSyncJobTypes(testEnv(fake, t.url));
  await createUsers(
    t.db,
    Array.from({ length: 6 }, (_, i) => ({
      username: `lim${i}`,
      connections: { github: `lim-gh-${i}`, twitter: `lim_x_${i}` },
    })),
  );
});
afterAll(async () => {
  await fake.close();
  await t.close();
});
beforeEach(async () => {
  fake.control.reset();
  await t.db.execute(sql`delete from jobs; delete from job_events; delete from activities`);
  // The defaults of migration 0015, as each test starts from them.
  await t.db.execute(sql`update limits set cooldown_until = null, cooldown_cause = null`);
});

const run = (at: Date) => processQueue(t.db, { timeBudgetMs: 20_000, now: at, types });
type Row = { status: string; attempts: number };
const byPlatform = async (): Promise<Record<string, Row[]>> =>
  Object.fromEntries(
    (
      await t.db.execute(sql`
  select payload->>'platform' as platform, json_agg(json_build_object('status', status, 'attempts', attempts)) as jobs
  from jobs group by 1`)
    ).map((r) => [r.platform, r.jobs as Row[]]),
  );

describe('a platform answering 429 with Retry-After: 600', () => {
  it('costs one request: GitHub waits out the window while X finishes, then resumes with attempts unchanged', async () => {
    fake.control.apply({
      faults: [{ platform: 'github', mode: 'rate_limit', status: 429, retryAfterSec: 600, delayMs: 0 }],
    });
    expect((await enqueueAllUsersSync(t.db, { date: DAY, now: T0 })).created).toBe(12);

    const first = await run(T0);
    expect(fake.control.stats().byPlatform.github).toBe(1);
    expect(fake.control.stats().rateLimited.github).toBe(1);
    let jobs = await byPlatform();
    expect(jobs.twitter.every((j) => j.status === 'completed')).toBe(true);
    expect(jobs.github.every((j) => j.status === 'pending' && j.attempts === 0)).toBe(true);
    expect(first.counts).toMatchObject({ completed: 6, deferred: 1, failed: 0 });

    // Later calls inside the window send GitHub nothing.
    await run(later(60_000));
    await run(later(599_000));
    expect(fake.control.stats().byPlatform.github).toBe(1);

    fake.control.apply({ clearFaults: true });
    // The window began when the 429 came, a moment into the first run (its clock runs from T0): resume well after.
    const after = await run(later(630_000));
    expect(after.counts).toMatchObject({ completed: 6, failed: 0 });
    jobs = await byPlatform();
    expect(jobs.github.every((j) => j.status === 'completed' && j.attempts === 1)).toBe(true);
    // Each task walks its pages (a day this old takes several), none refused.
    expect(fake.control.stats().byPlatform.github).toBeGreaterThanOrEqual(1 + 6);
    expect(fake.control.stats().rateLimited.github).toBe(1);
  });
});

describe('concurrency against a slow platform', () => {
  it('16 process-queue runs at once put at most the cap of GitHub requests in flight, and no fewer', async () => {
    await setLimit(t.db, 'github', { concurrency: 3 }, { actor: 'test', now: T0 });
    try {
      fake.control.apply({ faults: [{ platform: 'github', mode: 'slow', delayMs: 300, retryAfterSec: 0 }] });
      await enqueueAllUsersSync(t.db, { date: DAY, now: T0 });
      const pools = Array.from({ length: 16 }, () => t.connect(2));
      try {
        await Promise.all(
          pools.map((p) => processQueue(p.db, { timeBudgetMs: 20_000, now: T0, types, concurrency: 4 })),
        );
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
      const stats = fake.control.stats();
      expect(stats.maxInFlight.github).toBeLessThanOrEqual(3);
      expect(stats.maxInFlight.github).toBeGreaterThanOrEqual(2);
      const [r] = await t.db.execute(sql`select count(*) filter (where status = 'completed')::int as n from jobs`);
      expect(r.n).toBe(12);
    } finally {
      await setLimit(t.db, 'github', { concurrency: 1 }, { actor: 'test', now: T0 });
    }
  });
});

describe('an answer that says no request is left', () => {
  it('cools the platform down before the refusal: a quota of 5 sees exactly 5 requests and no 429', async () => {
    fake.control.apply({ quotas: { github: { limit: 5, windowSec: 2 } } });
    await enqueueAllUsersSync(t.db, { date: DAY, now: T0 });
    const first = await run(T0);
    let stats = fake.control.stats();
    expect(stats.byPlatform.github).toBe(5);
    expect(stats.rateLimited.github ?? 0).toBe(0);
    expect(first.counts.completed).toBeGreaterThanOrEqual(6); // X's tasks
    const [{ cooling }] = await t.db.execute<{ cooling: string | null }>(
      sql`select cooldown_until::text as cooling from limits where key = 'github'`,
    );
    expect(cooling).not.toBeNull();
    let jobs = await byPlatform();
    expect(jobs.github.every((j) => j.attempts <= 1)).toBe(true);
    expect(jobs.github.some((j) => j.status === 'pending')).toBe(true);

    // The window ends (2 s of the fake's real time); the platform resumes where it stopped.
    await new Promise((r) => setTimeout(r, 2_100));
    fake.control.apply({ quotas: null });
    for (let i = 1; i <= 3; i++) await run(later(i * 60_000));
    jobs = await byPlatform();
    expect(jobs.github.every((j) => j.status === 'completed')).toBe(true);
    stats = fake.control.stats();
    expect(stats.rateLimited.github ?? 0).toBe(0);
  });
});
