import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as syncAll from '@/app/api/cron/sync-all/route';
import * as processQueueRoute from '@/app/api/cron/process-queue/route';
import * as cleanup from '@/app/api/cron/cleanup/route';
import * as userSync from '@/app/api/users/[id]/sync/route';
import * as publicActivity from '@/app/api/public/[username]/activity/route';
import { addDays, todayUtc } from '@/lib/sync/dates';
import { fakeDayCount, type FakePlatforms } from '@/scripts/fake-platforms';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { activityRows, closeAppDb, createUsers, request, startFakePlatforms, syncJobs } from './sync-harness';

const SECRET = 'route-test-cron-secret';
let fake: FakePlatforms;
let t: TestDb;
let ids: Record<string, string>;
const today = todayUtc(new Date());
const yesterday = addDays(today, -1);
// Days synced by name: far from the today and yesterday that the date-less syncs enqueue, whose jobs would
// otherwise answer for them.
const [namedDay, cleanupDay, userDay] = [200, 201, 202].map((n) => addDays(today, -n));

beforeAll(async () => {
  fake = await startFakePlatforms({ port: 0, faults: [] });
  t = await createTestDb();
  // Before the first env() call: the routes read their configuration from here, as in production.
  Object.assign(process.env, {
    DATABASE_URL: t.url,
    CRON_SECRET: SECRET,
    PLATFORM_TIMEOUT_MS: '3000',
    ...fake.baseUrls,
  });
  delete process.env.DASHBOARD_PASSWORD;
  ids = await createUsers(t.db, [
    { username: 'ada', connections: { github: 'ada-l', twitter: 'ada_l', instagram: '1784100' }, private: ['twitter'] },
    { username: 'alan', connections: { github: 'alan-t' }, private: ['github', 'youtube', 'twitter', 'instagram'] },
  ]);
});
afterAll(async () => {
  await closeAppDb();
  await t.close();
  await fake.close();
});
beforeEach(() => fake.control.reset());

const body = async (res: Response) => res.json() as Promise<Record<string, any>>;
const jobCount = async () => Number((await t.db.execute<{ n: number }>(sql`select count(*)::int as n from jobs`))[0].n);

describe('cron routes: the bearer', () => {
  const routes = [
    ['sync-all', syncAll],
    ['process-queue', processQueueRoute],
    ['cleanup', cleanup],
  ] as const;

  it.each(routes)('%s refuses GET and POST without the right bearer, writing nothing', async (name, route) => {
    const before = await jobCount();
    for (const method of ['GET', 'POST'] as const) {
      for (const token of [undefined, 'wrong-secret']) {
        const res = await route[method](
          request(method, `/api/cron/${name}`, { token, body: method === 'POST' ? {} : undefined }),
        );
        expect(res.status, `${method} ${token ?? 'no token'}`).toBe(401);
        expect(await body(res)).toEqual({ error: 'Missing or invalid bearer token' });
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
      const lowercase = await route[method](
        request(method, `/api/cron/${name}`, { headers: { authorization: `bearer${SECRET}` } }),
      );
      expect(lowercase.status).toBe(401);
    }
    expect(await jobCount()).toBe(before);
  });
});

describe('sync-all then process-queue, over HTTP', () => {
  it('POST and GET both enqueue and process; activities match the fake data', async () => {
    const first = await syncAll.POST(
      request('POST', '/api/cron/sync-all', { token: SECRET, body: { date: yesterday } }),
    );
    expect(first.status).toBe(200);
    expect(await body(first)).toEqual({ dates: [yesterday], created: 4, existing: 0 });
    const again = await syncAll.GET(request('GET', `/api/cron/sync-all?date=${yesterday}`, { token: SECRET }));
    expect(await body(again)).toEqual({ dates: [yesterday], created: 0, existing: 4 });

    const viaPost = await processQueueRoute.POST(
      request('POST', '/api/cron/process-queue', { token: SECRET, body: { limit: 2 } }),
    );
    expect(viaPost.status).toBe(200);
    const p = await body(viaPost);
    expect(p).toMatchObject({ claimed: 2, counts: { completed: 2 }, stoppedBy: 'cap' });
    expect(p.jobs[0]).toEqual({
      id: expect.any(String),
      type: 'sync.platform',
      userId: expect.any(String),
      platform: expect.any(String),
      attempt: 1,
      outcome: 'completed',
      durationMs: expect.any(Number),
      error: null,
      nextRunAt: null,
    });
    const viaGet = await processQueueRoute.GET(request('GET', '/api/cron/process-queue', { token: SECRET }));
    expect(await body(viaGet)).toMatchObject({ claimed: 2, stoppedBy: 'empty' });

    const rows = await activityRows(t.db);
    const handles: Record<string, string> = {
      'ada:github': 'ada-l',
      'ada:twitter': 'ada_l',
      'ada:instagram': '1784100',
      'alan:github': 'alan-t',
    };
    expect(rows).toHaveLength(4);
    for (const r of rows)
      expect(r.count).toBe(fakeDayCount(r.platform, handles[`${r.username}:${r.platform}`], yesterday));
  });

  it('sync-all with no body syncs today (Vercel sends a bare GET)', async () => {
    const before = todayUtc(new Date());
    const res = await syncAll.GET(request('GET', '/api/cron/sync-all', { token: SECRET }));
    const after = todayUtc(new Date());
    const b = await body(res);
    // 00:00 UTC may pass during the call
    expect([before, after]).toContain(b.dates.at(-1));
    expect(b.created + b.existing).toBe(4 * b.dates.length);
    const curl = await syncAll.POST(request('POST', '/api/cron/sync-all', { token: SECRET }));
    expect(await body(curl)).toMatchObject({ created: 0 });
  });

  it('sync-all for chosen users; an unknown one is a 404 naming it, with nothing written', async () => {
    const before = await jobCount();
    const unknown = '0b9f5a52-3d2c-4c47-9a5f-4f6a0e4b7c11';
    const res = await syncAll.POST(
      request('POST', '/api/cron/sync-all', { token: SECRET, body: { date: namedDay, userIds: [ids.ada, unknown] } }),
    );
    expect(res.status).toBe(404);
    expect(await body(res)).toEqual({ error: `No user with id ${unknown}`, details: { unknownUserIds: [unknown] } });
    expect(await jobCount()).toBe(before);
    const ok = await syncAll.GET(
      request('GET', `/api/cron/sync-all?date=${namedDay}&userIds=${ids.alan}`, { token: SECRET }),
    );
    expect(await body(ok)).toEqual({ dates: [namedDay], created: 1, existing: 0 });
  });
});

describe('input validation', () => {
  const bad: [string, string, Request, RegExp][] = [
    [
      'process-queue',
      'limit 0',
      request('POST', '/api/cron/process-queue', { token: SECRET, body: { limit: 0 } }),
      /^Invalid request: limit /,
    ],
    [
      'process-queue',
      'limit 1e9',
      request('POST', '/api/cron/process-queue', { token: SECRET, body: { limit: 1e9 } }),
      /^Invalid request: limit /,
    ],
    [
      'process-queue',
      'limit "abc"',
      request('POST', '/api/cron/process-queue', { token: SECRET, body: { limit: 'abc' } }),
      /^Invalid request: limit /,
    ],
    [
      'process-queue',
      'limit=abc in the query',
      request('GET', '/api/cron/process-queue?limit=abc', { token: SECRET }),
      /^Invalid request: limit /,
    ],
    [
      'process-queue',
      'limit 2.5',
      request('GET', '/api/cron/process-queue?limit=2.5', { token: SECRET }),
      /^Invalid request: limit /,
    ],
    [
      'process-queue',
      'a budget past maxDuration',
      request('POST', '/api/cron/process-queue', { token: SECRET, body: { timeBudgetMs: 600_000 } }),
      /^Invalid request: timeBudgetMs /,
    ],
    [
      'process-queue',
      'an unknown field',
      request('POST', '/api/cron/process-queue', { token: SECRET, body: { limt: 5 } }),
      /Unrecognized key/,
    ],
    [
      'process-queue',
      'malformed JSON',
      request('POST', '/api/cron/process-queue', { token: SECRET, body: '{"limit":' }),
      /^Request body is not valid JSON$/,
    ],
    [
      'process-queue',
      'a JSON array',
      request('POST', '/api/cron/process-queue', { token: SECRET, body: '[1]' }),
      /^Request body must be a JSON object$/,
    ],
    [
      'sync-all',
      'a date that does not exist',
      request('POST', '/api/cron/sync-all', { token: SECRET, body: { date: '2026-02-30' } }),
      /^Invalid request: date is not a real calendar date$/,
    ],
    [
      'sync-all',
      'a date in another format',
      request('GET', '/api/cron/sync-all?date=01/02/2026', { token: SECRET }),
      /^Invalid request: date must be a date as YYYY-MM-DD$/,
    ],
    [
      'sync-all',
      'userIds that are not UUIDs',
      request('POST', '/api/cron/sync-all', { token: SECRET, body: { userIds: ['bob'] } }),
      /^Invalid request: userIds.0 must be a UUID$/,
    ],
    [
      'sync-all',
      'an empty userIds',
      request('POST', '/api/cron/sync-all', { token: SECRET, body: { userIds: [] } }),
      /^Invalid request: userIds /,
    ],
    [
      'cleanup',
      'olderThanDays 0',
      request('POST', '/api/cron/cleanup', { token: SECRET, body: { olderThanDays: 0 } }),
      /^Invalid request: olderThanDays /,
    ],
  ];
  const route = { 'process-queue': processQueueRoute, 'sync-all': syncAll, cleanup } as const;

  it.each(bad)('%s: %s → 400 naming the problem, nothing written', async (name, _what, req, message) => {
    const before = await jobCount();
    const res = await route[name as keyof typeof route][req.method as 'GET' | 'POST'](req);
    expect(res.status).toBe(400);
    expect((await body(res)).error).toMatch(message);
    expect(await jobCount()).toBe(before);
  });

  it('a body over 1 MB → 413', async () => {
    const res = await syncAll.POST(
      request('POST', '/api/cron/sync-all', { token: SECRET, body: { pad: 'x'.repeat(1_100_000) } }),
    );
    expect(res.status).toBe(413);
  });
});

describe('cleanup', () => {
  it('removes finished tasks older than 7 days and keeps the rest (GET and POST)', async () => {
    await syncAll.POST(request('POST', '/api/cron/sync-all', { token: SECRET, body: { date: cleanupDay } }));
    await processQueueRoute.POST(request('POST', '/api/cron/process-queue', { token: SECRET, body: { limit: 100 } }));
    await t.db
      .execute(sql`update jobs set created_at = now() - interval '8 days', completed_at = now() - interval '8 days'
                           where status in ('completed', 'failed') and payload->>'date' = ${cleanupDay}`);
    const old = (await syncJobs(t.db)).filter((j) => j.dedupKey?.endsWith(`:${cleanupDay}`)).length;
    expect(old).toBe(4);
    const before = await jobCount();
    const res = await cleanup.POST(request('POST', '/api/cron/cleanup', { token: SECRET }));
    expect(res.status).toBe(200);
    const b = await body(res);
    expect(b.deleted.completed).toBe(old);
    expect(b.done).toBe(true);
    expect(await jobCount()).toBe(before - old);
    const again = await cleanup.GET(request('GET', '/api/cron/cleanup', { token: SECRET }));
    expect((await body(again)).deleted).toEqual({ completed: 0, failed: 0, cancelled: 0 });
  });
});

describe('POST /api/users/{id}/sync', () => {
  const call = (id: string, opts: Parameters<typeof request>[2] = {}) =>
    userSync.POST(request('POST', `/api/users/${id}/sync`, opts), { params: Promise.resolve({ id }) });

  it("enqueues the user's enabled connections at high priority, once", async () => {
    const res = await call(ids.ada, { token: SECRET, body: { date: userDay } });
    expect(res.status).toBe(201);
    const b = await body(res);
    expect(b).toMatchObject({
      userId: ids.ada,
      date: userDay,
      created: 3,
      existing: 0,
      skipped: ['youtube'],
      processing: 'next-cron',
    });
    expect(b.jobs.map((j: { platform: string }) => j.platform).sort()).toEqual(['github', 'instagram', 'twitter']);
    const again = await call(ids.ada, { token: SECRET, body: { date: userDay, platforms: ['github'] } });
    expect(again.status).toBe(200);
    expect(await body(again)).toMatchObject({
      created: 0,
      existing: 1,
      jobs: [{ id: b.jobs.find((j: { platform: string }) => j.platform === 'github').id }],
    });
    const priorities = (await t.db.execute(
      sql`select distinct priority from jobs where payload->>'date' = ${userDay}`,
    )) as unknown as { priority: number }[];
    expect(priorities).toEqual([{ priority: 5 }]);
  });

  it('accepts the dashboard session (open in development without a password) and refuses a wrong bearer', async () => {
    expect((await call(ids.alan, { body: {} })).status).toBe(201);
    const wrong = await call(ids.alan, { token: 'nope-nope' });
    expect(wrong.status).toBe(401);
  });

  it('unknown user → 404, bad id → 400, bad platform → 400', async () => {
    const unknown = '0b9f5a52-3d2c-4c47-9a5f-4f6a0e4b7c11';
    const res = await call(unknown, { token: SECRET });
    expect(res.status).toBe(404);
    expect(await body(res)).toEqual({ error: `No user with id ${unknown}` });
    const badId = await call('not-a-uuid', { token: SECRET });
    expect(badId.status).toBe(400);
    expect((await body(badId)).error).toBe('Invalid user id: id must be a UUID');
    const badPlatform = await call(ids.ada, { token: SECRET, body: { platforms: ['myspace'] } });
    expect(badPlatform.status).toBe(400);
  });
});

describe('GET /api/public/{username}/activity', () => {
  const get = (username: string, query = '') =>
    publicActivity.GET(request('GET', `/api/public/${username}/activity${query}`), {
      params: Promise.resolve({ username }),
    });

  beforeAll(async () => {
    await t.db.execute(sql`
      insert into activities (user_id, date, platform, count, details)
      select ${ids.ada}::uuid, d::date, p::platform, 2, '{"secret":"payload"}'::jsonb
      from generate_series(${addDays(today, -4)}::date, ${today}::date, interval '1 day') d,
           unnest(array['github', 'twitter', 'instagram']) p
      on conflict (user_id, date, platform) do update set count = 2`);
    await t.db.execute(sql`
      insert into activities (user_id, date, platform, count)
      select ${ids.alan}::uuid, d::date, 'github', 3 from generate_series(${addDays(today, -2)}::date, ${today}::date, interval '1 day') d
      on conflict (user_id, date, platform) do update set count = 3`);
  });

  it('answers public platforms only: a private one appears nowhere in the response', async () => {
    const res = await get('ADA', `?from=${addDays(today, -4)}&to=${today}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(/twitter|secret|payload|error/i);
    const b = JSON.parse(text);
    expect(b.user).toEqual({ username: 'ada', displayName: 'Ada' });
    expect(b.platforms).toEqual(['github', 'instagram']);
    expect(b.days).toHaveLength(5);
    expect(b.days.at(-1)).toEqual({ date: today, total: 4, counts: { github: 2, instagram: 2 } });
    expect(b.totals).toEqual({ github: 10, instagram: 10 });
    expect(b.streaks).toMatchObject({ current: 5, longest: 5 });
  });

  it('counts a streak back past the range shown, and only up to its end', async () => {
    // 400 active days: longer than the default range and the 400-day maximum.
    const id = '00000000-0000-4000-8000-0000000005a1';
    await t.db.execute(sql`insert into users (id, username, display_name) values (${id}, 'streaker', 'Streaker')`);
    await t.db.execute(sql`
      insert into activities (user_id, date, platform, count)
      select ${id}::uuid, d::date, 'github', 1
      from generate_series(${addDays(today, -399)}::date, ${today}::date, interval '1 day') d`);
    const recent = await body(await get('streaker', `?from=${addDays(today, -1)}&to=${today}`));
    expect(recent.days).toHaveLength(2);
    expect(recent.streaks).toMatchObject({ current: 400, longest: 400 });
    const earlier = await body(await get('streaker', `?from=${addDays(today, -30)}&to=${addDays(today, -10)}`));
    expect(earlier.streaks).toMatchObject({ current: 390, longest: 390, lastActiveDate: addDays(today, -10) });
  });

  it('a user whose platforms are all private shows nothing at all', async () => {
    const b = await body(await get('alan'));
    expect(b).toMatchObject({ platforms: [], days: [], totals: {}, streaks: { current: 0, longest: 0 } });
  });

  it('defaults to the last 365 days; refuses bad ranges; unknown users are 404', async () => {
    const before = todayUtc(new Date());
    const b = await body(await get('ada'));
    const after = todayUtc(new Date());
    // 00:00 UTC may pass during the call
    expect([before, after]).toContain(b.to);
    expect(b.from).toBe(addDays(b.to, -364));
    expect((await get('ada', '?from=2026-02-30')).status).toBe(400);
    expect((await get('ada', '?from=2026-03-02&to=2026-03-01')).status).toBe(400);
    const tooLong = await get('ada', '?from=2024-01-01&to=2026-01-01');
    expect(tooLong.status).toBe(400);
    expect((await body(tooLong)).error).toMatch(/at most 400/);
    expect((await get('ada', '?days=3')).status).toBe(400);
    expect((await get('nobody-here')).status).toBe(404);
    expect((await get('../etc')).status).toBe(404);
  });
});
