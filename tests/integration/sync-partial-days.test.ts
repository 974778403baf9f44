/**
 * Days a platform cannot give whole. GitHub lists only the last 90 days (and 300 events) of a user's
 * public events: a day re-synced after it has aged out comes back empty, and the stored count must
 * stay, not become 0. A slow platform: the task stores what it has by its deadline, marked truncated,
 * instead of timing out with nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { addDays } from '@/lib/sync/dates';
import { createPlatformClients, type PlatformClients } from '@/lib/sync/providers';
import { syncPlatformDay } from '@/lib/sync/sync-platform';
import { createSyncJobTypes } from '@/lib/sync/job-types';
import { SYNC_JOB_TYPE } from '@/lib/sync/platforms';
import { parseEnv } from '@/lib/env';
import { enqueueJobs, runBatch } from '@/lib/queue';
import { fakeDayCount, startFakePlatforms, type FakePlatforms } from '@/scripts/fake-platforms';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { fakePlatformConfig } from './sync-harness';

const USER = '00000000-0000-4000-8000-00000000a9ed';
const HANDLE = 'octo-cat';
let t: TestDb;
let fake: FakePlatforms;
let clients: PlatformClients;

beforeAll(async () => {
  t = await createTestDb();
  fake = await startFakePlatforms({ port: 0, faults: [] });
  clients = createPlatformClients(fakePlatformConfig(fake, 2_000));
  await t.db.execute(sql`insert into users (id, username, display_name) values (${USER}, 'aged', 'Aged Out')`);
  await t.db.execute(
    sql`insert into platform_connections (user_id, platform, handle) values (${USER}, 'github', ${HANDLE})`,
  );
});
afterAll(async () => {
  await fake.close();
  await t.close();
});
beforeEach(() => fake.control.reset());

// A fixed day with events for the handle; the fake's pinned clock decides what it lists.
const day = (() => {
  for (let back = 0; back < 60; back++) {
    const d = addDays('2026-05-01', -back);
    if (fakeDayCount('github', HANDLE, d) > 0) return d;
  }
  throw new Error('no active day in the fake data');
})();
const noonAfter = (date: string, days: number) => `${addDays(date, days)}T12:00:00.000Z`;
const stored = async () =>
  (await t.db.execute(sql`select count, details from activities where user_id = ${USER} and date = ${day}::date`))[0];

describe('a GitHub day that has aged out of the events window', () => {
  it('keeps the count stored while the day was listed, and says the new result was partial', async () => {
    const expected = fakeDayCount('github', HANDLE, day);
    fake.control.apply({ now: noonAfter(day, 1) });
    const first = await syncPlatformDay(t.db, clients, { userId: USER, platform: 'github', date: day });
    expect(first).toMatchObject({ status: 'synced', count: expected });
    expect((await clients.github.fetchDay(HANDLE, day)).partial).toBeUndefined();

    fake.control.apply({ now: noonAfter(day, 95) });
    const late = await clients.github.fetchDay(HANDLE, day);
    expect(late).toMatchObject({ count: 0, partial: true });
    const again = await syncPlatformDay(t.db, clients, { userId: USER, platform: 'github', date: day });
    expect(again).toMatchObject({ status: 'synced', count: expected });
    expect(await stored()).toMatchObject({ count: expected });
  });

  it('still replaces a day GitHub lists whole, up or down', async () => {
    await t.db.execute(sql`update activities set count = 999 where user_id = ${USER} and date = ${day}::date`);
    fake.control.apply({ now: noonAfter(day, 1) });
    const synced = await syncPlatformDay(t.db, clients, { userId: USER, platform: 'github', date: day });
    expect(synced).toMatchObject({ count: fakeDayCount('github', HANDLE, day) });
    expect(await stored()).toMatchObject({ count: fakeDayCount('github', HANDLE, day) });
  });
});

describe('a slow platform', () => {
  // 400 ms a page, one event a page: reaching a day three days back takes more pages than fit.
  // The fake's clock is pinned to noon three days after `recent`, a fixed day chosen so that at least
  // 20 events stand between it and that noon: the walk needs far more pages than its deadline allows,
  // whatever the date or hour the suite runs at.
  const recent = (() => {
    for (let back = 0; back < 400; back++) {
      const d = addDays('2026-06-01', back);
      const later = [0, 1, 2, 3].reduce((n, k) => n + fakeDayCount('github', HANDLE, addDays(d, k)), 0);
      if (fakeDayCount('github', HANDLE, d) > 0 && later >= 20) return d;
    }
    throw new Error('no busy stretch in the fake data');
  })();
  const slowPages = () =>
    fake.control.apply({
      now: noonAfter(recent, 3),
      pageSize: 1,
      faults: [{ platform: 'github', handle: HANDLE, mode: 'slow', delayMs: 400, retryAfterSec: 0 }],
    });

  it('gets no further page once one more might not finish by the deadline', async () => {
    slowPages();
    const started = Date.now();
    const activity = await clients.github.fetchDay(HANDLE, recent, { deadline: started + 3_000 });
    // 2 s a request at most (PLATFORM_TIMEOUT_MS): no page starts after the 1 s mark, so no answer
    // comes after 3 s.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(activity).toMatchObject({ partial: true, details: { truncated: true } });
  });

  it('a sync task stores what it has by its deadline instead of timing out with nothing', async () => {
    slowPages();
    const env = parseEnv({
      DATABASE_URL: t.url,
      GITHUB_API_URL: fake.baseUrls.GITHUB_API_URL,
      YOUTUBE_API_URL: fake.baseUrls.YOUTUBE_API_URL,
      TWITTER_API_URL: fake.baseUrls.TWITTER_API_URL,
      INSTAGRAM_API_URL: fake.baseUrls.INSTAGRAM_API_URL,
      PLATFORM_TIMEOUT_MS: '500', // a 2 s task
    });
    const types = createSyncJobTypes(env);
    await enqueueJobs(t.db, types, [
      { type: SYNC_JOB_TYPE, payload: { userId: USER, platform: 'github', date: recent } },
    ]);
    const summary = await runBatch(t.db, types, { limit: 1, timeBudgetMs: 20_000 });
    expect(summary.counts).toMatchObject({ completed: 1, retrying: 0 });
    const [row] = await t.db.execute(sql`
      select details from activities where user_id = ${USER} and date = ${recent}::date and platform = 'github'`);
    expect(row.details).toMatchObject({ truncated: true });
  });
});
