import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueAllUsersSync } from '@/lib/sync/enqueue';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

const USERS = 100_000;

describe('sync-all at 100,000 users', () => {
  it('enqueues every enabled connection in one statement, and is idempotent', async () => {
    await t.db.execute(sql`
      insert into users (username, display_name)
      select 'u' || i, 'User ' || i from generate_series(1, ${USERS}) i`);
    // Everyone on GitHub, every other user on X, every tenth with a disabled Instagram.
    await t.db.execute(sql`
      insert into platform_connections (user_id, platform, handle, enabled)
      select id, 'github'::platform, username, true from users
      union all select id, 'twitter', username, true from users where substr(username, 2)::int % 2 = 0
      union all select id, 'instagram', username, false from users where substr(username, 2)::int % 10 = 0`);
    const now = new Date('2026-06-01T12:00:00Z');
    const started = performance.now();
    const first = await enqueueAllUsersSync(t.db, { date: '2026-06-01', now });
    const firstMs = performance.now() - started;
    expect(first).toEqual({ dates: ['2026-06-01'], created: 150_000, existing: 0 });
    const second = await enqueueAllUsersSync(t.db, { date: '2026-06-01', now });
    expect(second).toEqual({ dates: ['2026-06-01'], created: 0, existing: 150_000 });
    const [row] = (await t.db.execute(sql`
      select count(*)::int as n, count(distinct dedup_key)::int as keys,
             count(*) filter (where payload->>'platform' = 'instagram')::int as disabled
      from jobs`)) as unknown as { n: number; keys: number; disabled: number }[];
    expect(row).toEqual({ n: 150_000, keys: 150_000, disabled: 0 });
    // Ids: unique version-7 UUIDs carrying the call's time (a millisecond per 4,096 rows of a part),
    // ascending in dedup-key order within each part (parts split the user ids at 8000…).
    const [ids] = (await t.db.execute(sql`
      with o as (
        select id, created_at, user_id < '80000000-0000-0000-0000-000000000000' as low,
               lag(id) over (partition by user_id < '80000000-0000-0000-0000-000000000000' order by dedup_key) as prev
        from jobs)
      select count(distinct id)::int as distinct_ids,
             count(*) filter (where id::text !~ '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$')::int as malformed,
             count(*) filter (where prev is not null and prev >= id)::int as out_of_order,
             min(('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint)::bigint as first_ms,
             max(('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint)::bigint as last_ms,
             count(*) filter (where low)::int as low_part
      from o`)) as unknown as Record<string, number | string>[];
    expect(ids).toMatchObject({ distinct_ids: 150_000, malformed: 0, out_of_order: 0 });
    expect(Number(ids.first_ms)).toBe(now.getTime());
    expect(Number(ids.last_ms)).toBeLessThanOrEqual(now.getTime() + Math.ceil(150_000 / 4096));
    expect(Number(ids.low_part)).toBeGreaterThan(60_000); // random user ids: about half below 8000…
    expect(Number(ids.low_part)).toBeLessThan(90_000);
    console.log(`enqueueAllUsersSync: ${first.created} tasks for ${USERS} users in ${Math.round(firstMs)} ms`);
  }, 180_000);
});
