/**
 * /api/limits as a script (QUEUE_API_KEY) and the dashboard call it: changes land and are written to
 * history with who made them; bad input is a 400 naming the field and changes nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import * as list from '@/app/api/limits/route';
import * as one from '@/app/api/limits/[key]/route';
import * as cooldown from '@/app/api/limits/[key]/cooldown/route';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { call, closeAppDb, TEST_API_KEY, useAppEnv } from '../helpers/route-call';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  useAppEnv(t);
});
afterAll(async () => {
  await closeAppDb();
  await t.close();
});
beforeEach(async () => {
  await t.db.execute(sql`delete from limits; delete from limit_events`);
});

const put = (key: string, body: unknown, opts: { key?: string | null } = {}) =>
  call(one.PUT, 'PUT', `/api/limits/${encodeURIComponent(key)}`, { body, params: { key }, ...opts });
const rows = () => t.db.execute(sql`select key, concurrency, rate, period_ms, burst from limits order by key`);

describe('/api/limits', () => {
  it('sets a limit with a named period, lists it with what runs under it, and records who changed it', async () => {
    const r = await put('github', { concurrency: 2, rate: 5000, per: 'hour', burst: 100 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      key: 'github',
      concurrency: 2,
      rate: 5000,
      periodMs: 3_600_000,
      burst: 100,
      tokens: 100,
      running: 0,
    });
    const again = await put('github', { concurrency: 0 });
    expect(again.body).toMatchObject({ concurrency: 0, rate: 5000 });
    const listed = await call(list.GET, 'GET', '/api/limits');
    expect(listed.status).toBe(200);
    expect(listed.body.limits).toHaveLength(1);
    expect(listed.body.events.map((e: { actor: string; after: unknown }) => [e.actor, e.after])).toEqual([
      ['api (QUEUE_API_KEY)', { concurrency: 0, rate: 5000, periodMs: 3_600_000, burst: 100 }],
      ['api (QUEUE_API_KEY)', { concurrency: 2, rate: 5000, periodMs: 3_600_000, burst: 100 }],
    ]);
  });

  it.each([
    [{ concurrency: -1 }, 'concurrency'],
    [{ concurrency: 2.5 }, 'concurrency'],
    [{ concurrency: '3.5' }, 'concurrency'],
    [{ concurrency: true }, 'concurrency'],
    [{ concurrency: 10_000_000 }, 'concurrency'],
    [{ rate: 10, per: 'fortnight' }, 'per'],
    [{ rate: 10, periodMs: 10 }, 'periodMs'],
    [{ rate: 10, per: 'minute', periodMs: 60_000 }, 'per'],
    [{ rate: 'lots' }, 'rate'],
    [{ burst: 0 }, 'burst'],
    [{ concurency: 3 }, 'concurency'],
    [{}, 'at least one'],
  ])('refuses %j with a 400 naming %s, changing nothing', async (body, field) => {
    await put('github', { concurrency: 4 });
    const r = await put('github', body);
    expect(r.status).toBe(400);
    expect(r.body.error).toContain(field);
    expect(await rows()).toEqual([{ key: 'github', concurrency: 4, rate: null, period_ms: null, burst: null }]);
  });

  it('refuses a key with spaces or control characters, and "queue:" alone', async () => {
    for (const key of ['has space', 'tab\there', 'nul\u0000', 'queue:']) {
      const r = await put(key, { concurrency: 1 });
      expect(r.status, key).toBe(400);
    }
    expect(await rows()).toEqual([]);
  });

  it('removes a limit, and answers 404 for a key without one', async () => {
    await put('twitter', { concurrency: 3 });
    expect((await call(one.DELETE, 'DELETE', '/api/limits/twitter', { params: { key: 'twitter' } })).status).toBe(200);
    const missing = await call(one.DELETE, 'DELETE', '/api/limits/twitter', { params: { key: 'twitter' } });
    expect(missing).toMatchObject({ status: 404, body: { error: 'No limit on "twitter"' } });
  });

  it('starts and ends a cool-down by hand', async () => {
    const started = await call(cooldown.POST, 'POST', '/api/limits/youtube/cooldown', {
      params: { key: 'youtube' },
      body: { seconds: 600 },
    });
    expect(started.status).toBe(200);
    expect(Date.parse(started.body.cooldownUntil) - Date.now()).toBeGreaterThan(590_000);
    expect(
      (
        await call(cooldown.POST, 'POST', '/api/limits/youtube/cooldown', {
          params: { key: 'youtube' },
          body: { seconds: 0 },
        })
      ).status,
    ).toBe(400);
    const ended = await call(cooldown.DELETE, 'DELETE', '/api/limits/youtube/cooldown', { params: { key: 'youtube' } });
    expect(ended.body).toMatchObject({ key: 'youtube', cooldownUntil: null });
  });

  // Without any header the open development dashboard gets in (tests/integration/security-access.test.ts
  // covers a closed one); a bearer, once sent, decides alone.
  it('refuses a wrong bearer', async () => {
    expect((await put('github', { concurrency: 1 }, { key: `${TEST_API_KEY}x` })).status).toBe(401);
    expect((await put('github', { concurrency: 1 }, { key: 'dev-cron-secret' })).status).toBe(401);
    expect(await rows()).toEqual([]);
  });
});
