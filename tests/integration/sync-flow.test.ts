import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobTypes } from '@/lib/queue';
import { processQueue } from '@/lib/process-queue';
import { addDays, todayUtc } from '@/lib/sync/dates';
import { enqueueAllUsersSync, enqueueUserSync } from '@/lib/sync/enqueue';
import { createSyncJobTypes } from '@/lib/sync/job-types';
import { fakeDayCount, type FakePlatforms } from '@/scripts/fake-platforms';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { activityRows, createUsers, startFakePlatforms, syncJobs, testEnv } from './sync-harness';

let fake: FakePlatforms;
let t: TestDb;
let types: JobTypes;
const now = new Date();
const date = addDays(todayUtc(now), -1);
const later = (base: Date, ms: number) => new Date(base.getTime() + ms);

beforeAll(async () => {
  fake = await startFakePlatforms({ port: 0, faults: [] });
});
afterAll(async () => {
  await fake.close();
});
// A database per test: what one scenario leaves pending cannot run in the next.
beforeEach(async () => {
  fake.control.reset();
  t = await createTestDb();
  types = createSyncJobTypes(testEnv(fake, t.url));
});
afterEach(async () => {
  await t.close();
});

const run = (at: Date, limit = 100) => processQueue(t.db, { limit, timeBudgetMs: 20_000, now: at, types });

describe('sync-all → process-queue → activities', () => {
  it('stores exactly what the platforms report: private platforms are synced too, disabled connections are not', async () => {
    const ids = await createUsers(t.db, [
      { username: 'ada', connections: { github: 'ada-l', twitter: 'ada_l', youtube: 'UCada', instagram: '1784100' } },
      { username: 'alan', connections: { github: 'alan-t', twitter: 'alan_t' }, private: ['twitter'] },
      { username: 'grace', connections: { github: 'grace-h', instagram: '1784200' }, disabled: ['instagram'] },
      { username: 'nobody', connections: {} },
    ]);
    const enq = await enqueueAllUsersSync(t.db, { date, now });
    expect(enq).toEqual({ dates: [date], created: 7, existing: 0 });

    // Two at a time, as a minute-by-minute cron would, until nothing is due.
    let runs = 0;
    for (let s = await run(now, 2); s.claimed > 0; s = await run(now, 2)) {
      runs++;
      expect(s.jobs.every((j) => j.outcome === 'completed')).toBe(true);
    }
    expect(runs).toBe(4);

    const expected = [
      ['ada', 'github', 'ada-l'],
      ['ada', 'instagram', '1784100'],
      ['ada', 'twitter', 'ada_l'],
      ['ada', 'youtube', 'UCada'],
      ['alan', 'github', 'alan-t'],
      ['alan', 'twitter', 'alan_t'],
      ['grace', 'github', 'grace-h'],
    ].map(([username, platform, handle]) => ({
      username,
      platform,
      date,
      count: fakeDayCount(platform, handle, date),
    }));
    expect((await activityRows(t.db)).map(({ details: _d, ...r }) => r)).toEqual(expected);

    const synced = (await t.db.execute(sql`
      select u.username, c.platform::text, c.last_synced_at is not null as synced
      from platform_connections c join users u on u.id = c.user_id order by 1, 2`)) as unknown as {
      username: string;
      platform: string;
      synced: boolean;
    }[];
    expect(synced.filter((r) => !r.synced)).toEqual([{ username: 'grace', platform: 'instagram', synced: false }]);
    expect(ids.nobody).toBeDefined();
  });

  it('sync-all twice the same day creates no duplicate tasks, and re-syncing creates no duplicate rows', async () => {
    const ids = await createUsers(t.db, [{ username: 'ada', connections: { github: 'ada-l', twitter: 'ada_l' } }]);
    expect(await enqueueAllUsersSync(t.db, { date, now })).toMatchObject({ created: 2, existing: 0 });
    expect(await enqueueAllUsersSync(t.db, { date, now })).toMatchObject({ created: 0, existing: 2 });
    expect(await enqueueUserSync(t.db, ids.ada, { date, now })).toMatchObject({ created: 0, existing: 2 });
    expect(await syncJobs(t.db)).toHaveLength(2);
    await run(now);
    const first = await activityRows(t.db);
    // Once the day's tasks have run the key is free: a later sync-all fetches the day again and upserts.
    expect(await enqueueAllUsersSync(t.db, { date, now: later(now, 1000) })).toMatchObject({ created: 2, existing: 0 });
    await run(later(now, 1000));
    expect(await activityRows(t.db)).toEqual(first);
  });

  it('enqueues for chosen users only, and refuses unknown ones without writing anything', async () => {
    const ids = await createUsers(t.db, [
      { username: 'ada', connections: { github: 'ada-l' } },
      { username: 'alan', connections: { github: 'alan-t' } },
    ]);
    expect(await enqueueAllUsersSync(t.db, { date, userIds: [ids.alan], now })).toMatchObject({ created: 1 });
    const unknown = '00000000-0000-4000-8000-000000000000';
    await expect(enqueueAllUsersSync(t.db, { date, userIds: [ids.ada, unknown], now })).rejects.toMatchObject({
      code: 'not_found',
      details: { unknownUserIds: [unknown] },
    });
    expect(await syncJobs(t.db)).toHaveLength(1);
  });
});

describe('failures', () => {
  it('429 defers without spending an attempt, and succeeds once the provider allows', async () => {
    await createUsers(t.db, [{ username: 'ada', connections: { github: 'ada-l' } }]);
    fake.control.apply({
      faults: [{ platform: 'github', handle: 'ada-l', mode: 'rate_limit', retryAfterSec: 120, delayMs: 0, times: 1 }],
    });
    await enqueueAllUsersSync(t.db, { date, now });

    const first = await run(now);
    expect(first.jobs).toMatchObject([
      { outcome: 'deferred', platform: 'github', error: 'Rate limited by github; retry after 120s' },
    ]);
    let [job] = await syncJobs(t.db);
    expect(job).toMatchObject({ status: 'pending', attempts: 0, priority: 10 });
    expect(job.runAt.getTime()).toBeGreaterThanOrEqual(later(now, 119_000).getTime());

    expect((await run(later(now, 60_000))).claimed).toBe(0);
    expect(fake.control.count('github', 'ada-l')).toBe(1);

    const second = await run(later(now, 121_000));
    expect(second.jobs).toMatchObject([{ outcome: 'completed' }]);
    [job] = await syncJobs(t.db);
    expect(job).toMatchObject({ status: 'completed', attempts: 1 });
    expect(fake.control.count('github', 'ada-l')).toBe(2);
    expect((await activityRows(t.db))[0].count).toBe(fakeDayCount('github', 'ada-l', date));
  });

  it('404 fails at once, for good, with a message a person understands', async () => {
    await createUsers(t.db, [{ username: 'ada', connections: { github: 'gone-ada' } }]);
    await enqueueAllUsersSync(t.db, { date, now });
    const s = await run(now);
    const message =
      'GitHub has no user "gone-ada" (404 Not Found): check the handle on this connection (GitHub said: Not Found)';
    expect(s.jobs).toMatchObject([{ outcome: 'failed', error: message }]);
    expect(await syncJobs(t.db)).toMatchObject([{ status: 'failed', attempts: 1, lastError: message }]);
    expect((await run(later(now, 3_600_000))).claimed).toBe(0);
    expect(fake.control.count('github', 'gone-ada')).toBe(1);
    expect(await activityRows(t.db)).toEqual([]);
  });

  it('5xx retries with a growing priority number, then succeeds', async () => {
    await createUsers(t.db, [{ username: 'ada', connections: { twitter: 'ada_l' } }]);
    fake.control.apply({
      faults: [
        { platform: 'twitter', handle: 'ada_l', mode: 'error', status: 503, times: 2, retryAfterSec: 0, delayMs: 0 },
      ],
    });
    await enqueueAllUsersSync(t.db, { date, now });
    const priorities: number[] = [];
    let at = now;
    for (let i = 0; i < 3; i++) {
      const s = await run(at);
      expect(s.jobs).toHaveLength(1);
      const [job] = await syncJobs(t.db);
      priorities.push(job.priority);
      if (i < 2) {
        expect(s.jobs[0]).toMatchObject({
          outcome: 'retrying',
          error: expect.stringMatching(/^Twitter\/X answered 503/),
        });
        expect((await run(at)).claimed).toBe(0); // not before its backoff
        at = later(job.runAt, 1);
      } else {
        expect(s.jobs[0].outcome).toBe('completed');
        expect(job).toMatchObject({ status: 'completed', attempts: 3 });
      }
    }
    expect(priorities).toEqual([11, 12, 12]);
    expect((await activityRows(t.db))[0].count).toBe(fakeDayCount('twitter', 'ada_l', date));
  });

  it('5xx every time fails after 3 retries (4 attempts), keeping the last error', async () => {
    await createUsers(t.db, [{ username: 'ada', connections: { youtube: 'UCada' } }]);
    fake.control.apply({ faults: [{ platform: 'youtube', mode: 'error', status: 500, retryAfterSec: 0, delayMs: 0 }] });
    await enqueueAllUsersSync(t.db, { date, now });
    const outcomes: string[] = [];
    const priorities: number[] = [];
    let at = now;
    for (let i = 0; i < 6; i++) {
      const s = await run(at);
      if (s.claimed === 0) break;
      outcomes.push(s.jobs[0].outcome);
      const [job] = await syncJobs(t.db);
      priorities.push(job.priority);
      at = later(job.runAt, 1);
    }
    expect(outcomes).toEqual(['retrying', 'retrying', 'retrying', 'failed']);
    expect(priorities).toEqual([11, 12, 13, 13]);
    expect(await syncJobs(t.db)).toMatchObject([
      { status: 'failed', attempts: 4, lastError: expect.stringMatching(/^YouTube answered 500/) },
    ]);
    expect(fake.control.count('youtube', 'ucada')).toBe(4);
  });

  it('a connection removed after enqueueing is skipped, not failed', async () => {
    const ids = await createUsers(t.db, [{ username: 'ada', connections: { github: 'ada-l' } }]);
    await enqueueAllUsersSync(t.db, { date, now });
    await t.db.execute(sql`delete from platform_connections where user_id = ${ids.ada}`);
    const s = await run(now);
    expect(s.jobs).toMatchObject([{ outcome: 'completed' }]);
    expect(fake.control.count('github', 'ada-l')).toBe(0);
  });
});

describe('concurrency', () => {
  it('two process-queue runs at once never run one task twice', async () => {
    const specs = Array.from({ length: 40 }, (_, i) => ({ username: `user${i}`, connections: { github: `dev-${i}` } }));
    await createUsers(t.db, specs);
    await enqueueAllUsersSync(t.db, { date, now });
    const a = t.connect(5);
    const b = t.connect(5);
    try {
      const [x, y] = await Promise.all([
        processQueue(a.db, { limit: 40, timeBudgetMs: 20_000, now, types, concurrency: 4 }),
        processQueue(b.db, { limit: 40, timeBudgetMs: 20_000, now, types, concurrency: 4 }),
      ]);
      const idsX = new Set(x.jobs.map((j) => j.id));
      expect(y.jobs.filter((j) => idsX.has(j.id))).toEqual([]);
      expect(x.claimed + y.claimed).toBe(40);
      expect([...x.jobs, ...y.jobs].every((j) => j.outcome === 'completed')).toBe(true);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
    // One page per handle covers yesterday, so one request per task: none ran twice.
    const stats = fake.control.stats();
    expect(Object.keys(stats.requests)).toHaveLength(40);
    expect(Object.values(stats.requests).every((n) => n === 1)).toBe(true);
    expect(await syncJobs(t.db)).toHaveLength(40);
    expect((await syncJobs(t.db)).every((j) => j.status === 'completed' && j.attempts === 1)).toBe(true);
  });
});
