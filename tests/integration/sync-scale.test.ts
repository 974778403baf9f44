import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueAllUsersSync } from '@/lib/sync/enqueue';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(); });
afterAll(async () => { await t.close(); });

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
    console.log(`enqueueAllUsersSync: ${first.created} tasks for ${USERS} users in ${Math.round(firstMs)} ms`);
  }, 180_000);
});
