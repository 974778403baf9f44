/**
 * The built app (`next start`, dist dir .next-rel) on a PostgreSQL server of this file's own, with
 * the fake platform APIs counting every call:
 * - 16 concurrent callers of /api/cron/process-queue drain 5,000 sync tasks: each runs exactly once;
 * - the same minute's sync-all fired 10 times at once creates each task once;
 * - the app SIGKILLed mid-request and restarted: its claims wait out their lease, then run again;
 * - PostgreSQL stopped and started under the running app: 503 JSON meanwhile, recovery without restart.
 * The build is made (or reused when up to date) in beforeAll. REL_APP_USERS=300 makes a quick local run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { freePort, startEmbeddedPostgres, type RunningPostgres } from '@/scripts/lib/embedded-pg';
import { ensureDatabase, migrateDatabase } from '@/scripts/lib/migrate';
import { ensureBuilt, startBuiltApp, type RunningApp } from '../helpers/app-server';
import { startFakePlatforms, type FakePlatforms } from '@/scripts/fake-platforms';
import { createDb, type AppDb } from '@/lib/db';
import { enqueueAllUsersSync } from '@/lib/sync/enqueue';
import { countDrainCalls } from '@/lib/queue';

const DIST = '.next-rel';
const USERS = Number(process.env.REL_APP_USERS ?? 5_000);
const CALLERS = 16;
const CRON = 'app-cron-secret-5Yh8Lq2w';
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

let dir: string;
let pg: RunningPostgres;
let fake: FakePlatforms;
let app: RunningApp;
let appEnv: Record<string, string>;
let port: number;
let monitor: { db: AppDb; client: { end: (o?: { timeout?: number }) => Promise<void> } };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'steady-app-'));
  chmodSync(dir, 0o755); // the server runs as user postgres
  const [built] = await Promise.all([
    ensureBuilt(DIST, (l) => console.log(`[reliability-app] ${l}`)),
    (async () => {
      pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data') });
      await ensureDatabase(pg.url('postgres'), 'steady');
      await migrateDatabase(pg.url('steady'));
      // The platforms' default limits would space 5,000 tasks out over hours: this file puts the claim
      // itself under load (flow control has tests of its own).
      const { db: setup, client } = createDb({ url: pg.url('steady'), max: 1 });
      await setup.execute(sql`delete from limits`);
      await client.end();
    })(),
  ]);
  void built;
  fake = await startFakePlatforms({ port: 0 });
  port = await freePort();
  appEnv = {
    DATABASE_URL: pg.url('steady'),
    DATABASE_POOL_MAX: '20',
    CRON_SECRET: CRON,
    QUEUE_API_KEY: 'app-queue-api-key-3Jd9',
    DASHBOARD_PASSWORD: 'app-dashboard-password-7Ps1',
    SESSION_SECRET: 'app-session-secret-2Vn6',
    // Longer than the kill test's wait for its claims on a loaded machine: its slow requests must still
    // be in flight when the app is killed, not already timed out and settled.
    PLATFORM_TIMEOUT_MS: '30000',
    // Every one of the 16 callers at work at once: what this test puts under load is the claim.
    PROCESS_QUEUE_MAX_PARALLEL: String(CALLERS),
    ...fake.baseUrls,
  };
  app = await startBuiltApp({ distDir: DIST, port, env: appEnv });
  monitor = createDb({ url: pg.url('steady'), max: 3 });
  await monitor.db.execute(sql`
    insert into users (username, display_name)
    select 'rel' || i, 'Rel ' || i from generate_series(1, ${USERS}) as i`);
  await monitor.db.execute(sql`
    insert into platform_connections (user_id, platform, handle)
    select id, 'github', 'rel-gh-' || substr(username, 4) from users`);
}, 240_000);

afterAll(async () => {
  await app?.stop();
  await monitor?.client.end({ timeout: 2 }).catch(() => {});
  await fake?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (route: string, body: unknown = {}, timeoutMs = 90_000) => {
  const res = await fetch(`${app.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CRON}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const one = async <T>(q: ReturnType<typeof sql>) => (await monitor.db.execute(q))[0] as T;

describe('the built app', () => {
  it(`${CALLERS} concurrent process-queue callers drain ${USERS} jobs: each handler runs once (again only after a recorded failure)`, async () => {
    fake.control.reset();
    const date = day(-1); // one page of events per account covers a finished day
    const enq = await post('/api/cron/sync-all', { date });
    expect(enq).toMatchObject({ status: 200, body: { created: USERS } });

    const started = Date.now();
    const calls: { claimed: number; status: number }[] = [];
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (true) {
          const r = await post('/api/cron/process-queue', { limit: 100 });
          expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
          calls.push({ claimed: Number(r.body.claimed), status: r.status });
          if (r.body.claimed !== 0) continue;
          const left = await one<{ n: number }>(
            sql`select count(*)::int as n from jobs where status in ('pending', 'processing')`,
          );
          if (left.n === 0) break;
          await new Promise((res) => setTimeout(res, 100));
        }
      }),
    );

    const counts = await one<{ completed: number; other: number; multi: number; rescues: number }>(sql`
      select count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status <> 'completed')::int as other,
             (select count(*)::int from (select job_id from job_events where to_status = 'completed'
                                         group by job_id having count(*) > 1) m) as multi,
             (select count(*)::int from job_events where message like 'Lease expired%') as rescues
      from jobs`);
    expect(counts).toEqual({ completed: USERS, other: 0, multi: 0, rescues: 0 });

    // Claims per account, and whether each extra claim followed a failure the job recorded (a platform
    // error or timeout under load is retried by design; a claim with no such reason would be an accident).
    const rows = await monitor.db.execute(sql`
      select c.handle,
             count(*) filter (where e.to_status = 'processing')::int as claims,
             count(*) filter (where e.from_status = 'processing' and e.to_status = 'pending')::int as failures,
             string_agg(e.message, ' | ') filter (where e.from_status = 'processing' and e.to_status = 'pending') as why
      from jobs j
      join platform_connections c on c.user_id = (j.payload->>'userId')::uuid and c.platform = 'github'
      join job_events e on e.job_id = j.id
      group by c.handle`);
    const requests = fake.control.stats().requests;
    expect(rows).toHaveLength(USERS);
    const wrong = rows.filter((r) => {
      const made = requests[`github:${String(r.handle).toLowerCase()}`] ?? 0;
      const claims = Number(r.claims);
      if (claims !== Number(r.failures) + 1) return true; // a claim without a recorded reason
      // One platform call per run: exactly one when it ran once; at most one per run when retried.
      return claims === 1 ? made !== 1 : made < 1 || made > claims;
    });
    expect(wrong.map((r) => ({ ...r, requests: requests[`github:${String(r.handle).toLowerCase()}`] }))).toEqual([]);
    const retried = rows.filter((r) => Number(r.claims) > 1);
    const activities = await one<{ n: number }>(
      sql`select count(distinct user_id)::int as n from platform_connections where last_synced_at is not null`,
    );
    expect(activities.n).toBe(USERS);
    console.log(
      `[reliability-app] ${USERS} jobs drained by ${CALLERS} callers in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `over ${calls.length} calls; ${fake.control.stats().total} platform requests; ${USERS - retried.length} handlers ran exactly once, ` +
        `${retried.length} retried after a recorded failure${retried.length ? ` (${[...new Set(retried.map((r) => String(r.why).slice(0, 80)))].join('; ')})` : ''}; no lease rescues`,
    );
  }, 240_000);

  it("the same minute's sync-all fired 10 times at once creates each task once", async () => {
    const date = day(-3);
    const results = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await fetch(`${app.url}/api/cron/sync-all?date=${date}`, {
          headers: { authorization: `Bearer ${CRON}` },
        });
        return { status: res.status, body: (await res.json()) as { created: number; existing: number } };
      }),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.reduce((s, r) => s + r.body.created, 0)).toBe(USERS);
    expect(results.reduce((s, r) => s + r.body.existing, 0)).toBe(9 * USERS);
    const rows = await one<{ n: number; keys: number }>(sql`
      select count(*)::int as n, count(distinct dedup_key)::int as keys from jobs where payload->>'date' = ${date}`);
    expect(rows).toEqual({ n: USERS, keys: USERS });
    await monitor.db.execute(sql`
      with gone as (delete from jobs where payload->>'date' = ${date} returning id)
      delete from job_events where job_id in (select id from gone)`);
  }, 60_000);

  it('the app killed mid-request: its claims stay put until the lease ends, then run again and complete', async () => {
    // sync-all starts a drain after it answers: the one the last test set off must be over, or that
    // drain, not this test's call, would claim the jobs below and the call would answer before the kill.
    while ((await countDrainCalls(monitor.db, { now: new Date() })) > 0) await new Promise((r) => setTimeout(r, 50));
    const date = day(-5);
    const ids = (await monitor.db.execute(sql`select id::text as id from users order by username limit 30`)).map((r) =>
      String(r.id),
    );
    // Enqueued here, not through sync-all, which would start working them after its response: this
    // test needs its own call to hold the claims when the app dies.
    const enq = await enqueueAllUsersSync(monitor.db, { date, userIds: ids, now: new Date() });
    expect(enq.created).toBe(30);
    fake.control.reset();
    fake.control.apply({ faults: [{ platform: 'github', mode: 'slow', delayMs: 60_000, retryAfterSec: 60 }] });

    const inFlight = post('/api/cron/process-queue', { limit: 30 }).catch((err: unknown) => err);
    while (
      (await one<{ n: number }>(sql`select count(*)::int as n from jobs where status = 'processing'`)).n < 30 ||
      fake.control.stats().total < 5
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await app.kill();
    expect(await inFlight).toBeInstanceOf(Error); // the caller saw the connection drop
    const started = fake.control.stats().total;
    fake.control.apply({ clearFaults: true });

    app = await startBuiltApp({ distDir: DIST, port, env: appEnv });
    // Leases are 60 s: a run right after the restart must leave the dead process's claims alone.
    const early = await post('/api/cron/process-queue', { limit: 50 });
    expect(early.body).toMatchObject({ rescued: 0, claimed: 0 });
    const held = await one<{ n: number; attempts: number }>(sql`
      select count(*)::int as n, max(attempts)::int as attempts from jobs where status = 'processing' and locked_until > now()`);
    expect(held).toEqual({ n: 30, attempts: 1 });

    // Time passing, passed in: move the lease ends into the past instead of waiting a minute.
    await monitor.db.execute(
      sql`update jobs set locked_until = now() - interval '1 second' where status = 'processing'`,
    );
    const late = await post('/api/cron/process-queue', { limit: 50 });
    expect(late.body).toMatchObject({ rescued: 30, claimed: 30 });
    const after = await one<{ completed: number; stuck: number; attempts: number }>(sql`
      select count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status = 'processing')::int as stuck,
             min(attempts)::int as attempts
      from jobs where payload->>'date' = ${date}`);
    expect(after).toEqual({ completed: 30, stuck: 0, attempts: 2 });
    console.log(
      `[reliability-app] app SIGKILLed with 30 claims (${started} handlers had called out); after lease expiry all 30 rescued and completed on attempt 2`,
    );
  }, 120_000);

  it('no page or log shows a secret; the public page and API hide private platforms', async () => {
    const [user] = await monitor.db.execute(sql`select id::text as id from users where username = 'rel1'`);
    await monitor.db.execute(sql`update users set github_private = true where id = ${user.id}`);
    await monitor.db.execute(sql`
      insert into platform_connections (user_id, platform, handle) values (${user.id}, 'youtube', 'UCrelpublic1')`);
    await monitor.db.execute(sql`
      insert into activities (user_id, date, platform, count, details)
      values (${user.id}, current_date, 'youtube', 4, '{}'), (${user.id}, current_date, 'github', 9, '{"secretRepo":"PRIVATE-REPO"}')
      on conflict (user_id, date, platform) do update set count = excluded.count, details = excluded.details`);
    const cookie = await sessionCookie();
    const [job] = await monitor.db.execute(sql`select id::text as id from jobs limit 1`);
    const pages = ['/', '/jobs', '/users', `/jobs/${job.id}`, '/login'];
    const seen: string[] = [];
    for (const page of pages) {
      // Signed in for the dashboard; the sign-in page as a visitor sees it.
      const headers: Record<string, string> = page === '/login' ? {} : { cookie };
      const res = await fetch(`${app.url}${page}`, { headers, redirect: 'manual' });
      expect(res.status, page).toBe(200);
      seen.push(await res.text());
    }
    const publicPage = await fetch(`${app.url}/u/rel1`);
    const publicApi = await fetch(`${app.url}/api/public/rel1/activity`);
    expect([publicPage.status, publicApi.status]).toEqual([200, 200]);
    for (const text of [await publicPage.text(), await publicApi.text()]) {
      expect(text).toMatch(/youtube/i);
      expect(text).not.toMatch(/github/i);
      for (const hidden of ['rel-gh-1', 'PRIVATE-REPO', 'secretRepo', String(user.id)])
        expect(text).not.toContain(hidden);
      seen.push(text);
    }
    seen.push(app.log());
    const secrets = ['CRON_SECRET', 'QUEUE_API_KEY', 'DASHBOARD_PASSWORD', 'SESSION_SECRET'].map((k) => appEnv[k]);
    for (const secret of secrets)
      expect(
        seen.some((t) => t.includes(secret)),
        `a page or the log shows ${secret}`,
      ).toBe(false);
  }, 60_000);

  it('PostgreSQL stopped under the running app: 503 JSON at once, and back to 200 without a restart', async () => {
    await pg.stop();
    try {
      for (const route of ['/api/health', '/api/cron/process-queue', '/api/dashboard/stats']) {
        const t0 = Date.now();
        const res = await fetch(`${app.url}${route}`, {
          method: route === '/api/cron/process-queue' ? 'POST' : 'GET',
          headers: {
            authorization: `Bearer ${CRON}`,
            ...(route.startsWith('/api/dashboard') ? { cookie: await sessionCookie() } : {}),
          },
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { error?: string };
        expect({ route, status: res.status }).toEqual({ route, status: 503 });
        expect(body.error).toMatch(/database is unavailable/i);
        expect(Date.now() - t0).toBeLessThan(8_000);
      }
    } finally {
      pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: pg.port });
    }
    expect(app.log()).not.toContain('unhandledRejection');
    const deadline = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await fetch(`${app.url}/api/health`).catch(() => null))?.status ?? 0;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    const r = await post('/api/cron/process-queue', { limit: 5 });
    expect(r.status).toBe(200);
  }, 90_000);
});

async function sessionCookie(): Promise<string> {
  const { createSessionToken, sessionKey, SESSION_COOKIE } = await import('@/lib/auth/session');
  const token = createSessionToken(
    sessionKey({ sessionSecret: appEnv.SESSION_SECRET, password: appEnv.DASHBOARD_PASSWORD! }),
  );
  return `${SESSION_COOKIE}=${token}`;
}
