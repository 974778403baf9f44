/**
 * GET /api/metrics through a real Prometheus text parser, against the rows it describes; the oldest due
 * job's age and /api/health as a worker stalls and comes back (time passed in, never slept on); who may
 * read the metrics and the health details.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { z } from 'zod';
import * as metricsRoute from '@/app/api/metrics/route';
import * as healthRoute from '@/app/api/health/route';
import {
  coolDown,
  defineJobType,
  enqueueJobs,
  getDueBacklog,
  getQueueMetrics,
  listenHealth,
  listenWith,
  listLimits,
  processMetrics,
  runBatch,
  setLimit,
  setQueuePaused,
  startWorker,
  type JobTypes,
} from '@/lib/queue';
import { checkHealth } from '@/lib/observability/health';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { closeAppDb, useAppEnv } from '../helpers/route-call';
import { histogramOf, parsePrometheus, sampleValue, samples } from '../helpers/prometheus';

const CRON = 'metrics-test-cron-secret';
const TOKEN = 'metrics-test-scrape-token';
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  useAppEnv(t, { CRON_SECRET: CRON, METRICS_TOKEN: TOKEN, HEALTH_MAX_DUE_AGE_S: '60' });
});
afterAll(async () => {
  await closeAppDb();
  await t.close();
});
beforeEach(async () => {
  await t.db.execute(sql`delete from jobs; delete from job_events; delete from job_counts; delete from job_minute_stats;
                         update queues set paused = false`);
  processMetrics.reset();
});

let failNext = 0;
const types: JobTypes = {
  'm.email': defineJobType({
    queue: 'mail',
    payloadSchema: z.object({ n: z.number() }),
    maxAttempts: 2,
    handle: async ({ payload }) => {
      if (failNext > 0) {
        failNext--;
        throw new Error('mail server said no');
      }
      return { n: payload.n };
    },
  }),
  'm.report': defineJobType({ queue: 'reports', payloadSchema: z.object({ n: z.number() }), handle: async () => ({}) }),
};

const get = async (handler: (req: Request) => Promise<Response>, path: string, authorization?: string) => {
  const res = await handler(
    new Request(`http://localhost${path}`, { headers: authorization ? { authorization } : {} }),
  );
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};
const scrape = async () => {
  const r = await get(metricsRoute.GET, '/api/metrics', `Bearer ${TOKEN}`);
  expect(r.status, r.text).toBe(200);
  expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
  return await parsePrometheus(r.text);
};
const health = async (authorization?: string) => {
  const r = await get(healthRoute.GET, '/api/health', authorization);
  return { status: r.status, body: JSON.parse(r.text) };
};
const ago = (s: number) => new Date(Date.now() - s * 1000);

describe('/api/metrics', () => {
  it('parses as Prometheus text, and its values agree with the rows', async () => {
    await enqueueJobs(t.db, types, [
      ...Array.from({ length: 5 }, (_, n) => ({ type: 'm.email', payload: { n }, runAt: ago(120) })),
      ...Array.from({ length: 3 }, (_, n) => ({ type: 'm.report', payload: { n }, runAt: ago(30) })),
      { type: 'm.report', payload: { n: 99 }, runAt: new Date(Date.now() + 3_600_000) },
    ]);
    // Two of the mail jobs run: one completes, one fails and will retry; the reports wait.
    failNext = 1;
    const batch = await runBatch(t.db, types, { limit: 2, maxJobs: 2, queues: ['mail'] });
    expect(batch.counts).toMatchObject({ completed: 1, retrying: 1 });
    await setLimit(
      t.db,
      'mail-api',
      { concurrency: 3, rate: 60, periodMs: 60_000 },
      { actor: 'test', now: new Date() },
    );
    await coolDown(t.db, {
      key: 'mail-api',
      until: new Date(Date.now() + 90_000),
      cause: 'test',
      now: new Date(),
      actor: 'test',
    });

    const m = await scrape();

    // Jobs by status: the same numbers as a count over the table.
    const byRows = await t.db.execute(
      sql`select queue, type, status::text, count(*)::int as n from jobs group by 1, 2, 3`,
    );
    expect(byRows.length).toBeGreaterThan(2);
    for (const r of byRows) {
      expect(
        sampleValue(m, 'steady_jobs', { queue: String(r.queue), type: String(r.type), status: String(r.status) }),
        JSON.stringify(r),
      ).toBe(Number(r.n));
    }
    expect(samples(m, 'steady_jobs').reduce((a, s) => a + s.value, 0)).toBe(9);

    // The oldest due job: mail's waited 120 s, reports' 30 s; the one due in an hour is not due.
    const [oldest] = await t.db.execute(sql`select extract(epoch from now() - min(run_at))::float8 as s, queue from jobs
                                            where status = 'pending' and run_at <= now() group by queue order by 1 desc limit 1`);
    expect(oldest.queue).toBe('mail');
    expect(sampleValue(m, 'steady_oldest_due_job_age_seconds')).toBeCloseTo(Number(oldest.s), -1);
    expect(sampleValue(m, 'steady_queue_oldest_due_job_age_seconds', { queue: 'mail' })).toBeGreaterThanOrEqual(119);
    expect(sampleValue(m, 'steady_queue_oldest_due_job_age_seconds', { queue: 'reports' })).toBeGreaterThanOrEqual(29);
    expect(sampleValue(m, 'steady_queue_oldest_due_job_age_seconds', { queue: 'reports' })).toBeLessThan(60);
    expect(m.steady_queue_oldest_due_job_age_seconds.type).toBe('gauge');

    // Counted by the database today: one completion, no final failure yet (the failed run will retry).
    expect(m.steady_job_completions_total.type).toBe('counter');
    expect(sampleValue(m, 'steady_job_completions_total', { queue: 'mail', type: 'm.email' })).toBe(1);
    expect(sampleValue(m, 'steady_job_failures_total', { queue: 'mail', type: 'm.email' })).toBe(0);
    const [done] = await t.db.execute(
      sql`select extract(epoch from started_at - run_at)::float8 as pickup from jobs where status = 'completed'`,
    );
    expect(sampleValue(m, 'steady_queue_pickup_latency_seconds', { queue: 'mail', quantile: '0.5' })).toBeCloseTo(
      Number(done.pickup),
      2,
    );

    // This process ran the two: its counters and histograms say so.
    expect(sampleValue(m, 'steady_process_job_runs_total', { queue: 'mail', outcome: 'completed' })).toBe(1);
    expect(sampleValue(m, 'steady_process_job_runs_total', { queue: 'mail', outcome: 'retrying' })).toBe(1);
    expect(m.steady_process_pickup_latency_seconds.type).toBe('histogram');
    const h = histogramOf(m, 'steady_process_pickup_latency_seconds', { queue: 'mail', type: 'm.email' })!;
    expect(h.count).toBe(2);
    // Both waited about 120 s: in the 300 s bucket, not in the 60 s one.
    expect(h.buckets['60']).toBe(0);
    expect(h.buckets['300']).toBe(2);
    expect(h.sum).toBeGreaterThan(238);
    expect(histogramOf(m, 'steady_process_run_duration_seconds', { queue: 'mail', type: 'm.email' })!.count).toBe(2);

    // Flow control agrees with listLimits.
    for (const l of await listLimits(t.db, { now: new Date() })) {
      const key = { key: l.key };
      expect(sampleValue(m, 'steady_limit_in_flight', key), l.key).toBe(l.running);
      expect(sampleValue(m, 'steady_limit_concurrency', key), l.key).toBe(l.concurrency ?? undefined);
      if (l.tokens !== null) expect(sampleValue(m, 'steady_limit_tokens', key), l.key).toBeCloseTo(l.tokens, 0);
    }
    expect(sampleValue(m, 'steady_limit_rate_per_second', { key: 'mail-api' })).toBe(1);
    expect(sampleValue(m, 'steady_limit_cooldown_remaining_seconds', { key: 'mail-api' })).toBeGreaterThan(80);
    expect(sampleValue(m, 'steady_limit_cooldowns_active')).toBe(1);

    // No worker LISTENs in this process.
    expect(sampleValue(m, 'steady_listen_connections')).toBe(0);
    expect(sampleValue(m, 'steady_listen_connected')).toBe(0);
  });

  it('the engine read is the same at any `now`: counters from the day of `now`, ages from `now`', async () => {
    const t0 = new Date('2031-05-06T10:00:00Z');
    await enqueueJobs(t.db, types, [{ type: 'm.report', payload: { n: 1 } }], { now: t0 });
    const at = (s: number) => getQueueMetrics(t.db, { now: new Date(t0.getTime() + s * 1000) });
    expect((await at(0)).due.oldestDueAt).toEqual(t0);
    expect((await at(-1)).due.byQueue).toEqual([]);
    const later = await at(90);
    expect(later.due.byQueue).toEqual([{ queue: 'reports', oldestDueAt: t0 }]);
    expect(later.today.since).toEqual(new Date('2031-05-06T00:00:00Z'));
  });
});

describe('a stalled queue', () => {
  it('the oldest-age gauge grows and health turns 503 past the threshold; a worker brings both back', async () => {
    const t0 = new Date();
    await enqueueJobs(
      t.db,
      types,
      [
        { type: 'm.email', payload: { n: 1 } },
        { type: 'm.email', payload: { n: 2 } },
      ],
      { now: t0 },
    );
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    // No worker: the age grows with the clock.
    const ages = await Promise.all(
      [10, 50, 70].map(async (s) => (await getDueBacklog(t.db, { now: at(s) })).byQueue[0]?.oldestDueAt),
    );
    expect(ages.every((a) => a?.getTime() === t0.getTime())).toBe(true);
    expect((await checkHealth(t.db, { now: at(50), maxDueAgeS: 60 })).ok).toBe(true);
    const stalled = await checkHealth(t.db, { now: at(70), maxDueAgeS: 60 });
    expect(stalled).toMatchObject({ ok: false, checks: { queue: { ok: false, oldestDueAgeS: 70, queue: 'mail' } } });
    expect(stalled.reason).toMatch(/queue "mail" has waited 70 s/);

    // Through the routes (real clock): jobs that became due 120 s ago with a threshold of 60 s.
    expect((await health()).status).toBe(200);
    await t.db.execute(sql`update jobs set run_at = now() - interval '120 seconds'`);
    expect(await health()).toEqual({ status: 503, body: { ok: false } });
    const detailed = await health(`Bearer ${TOKEN}`);
    expect(detailed.status).toBe(503);
    expect(detailed.body).toMatchObject({
      ok: false,
      checks: { database: { ok: true }, migrations: { ok: true }, queue: { ok: false, queue: 'mail' } },
    });
    expect(
      sampleValue(await scrape(), 'steady_queue_oldest_due_job_age_seconds', { queue: 'mail' }),
    ).toBeGreaterThanOrEqual(120);

    // A paused queue's jobs wait on purpose.
    await setQueuePaused(t.db, { name: 'mail', paused: true, now: new Date() });
    expect((await health()).status).toBe(200);
    await setQueuePaused(t.db, { name: 'mail', paused: false, now: new Date() });
    expect((await health()).status).toBe(503);

    // A worker runs: both recover.
    await runBatch(t.db, types, { limit: 10 });
    expect(await health()).toEqual({ status: 200, body: { ok: true } });
    const m = await scrape();
    expect(sampleValue(m, 'steady_oldest_due_job_age_seconds')).toBe(0);
    expect(sampleValue(m, 'steady_queue_oldest_due_job_age_seconds', { queue: 'mail' })).toBe(0);
  });

  it("health details name the migrations: all of this build's applied", async () => {
    const r = await health(`Bearer ${CRON}`);
    expect(r.status).toBe(200);
    expect(r.body.checks.migrations.applied).toBe(r.body.checks.migrations.expected);
    expect(r.body.checks.migrations.lastApplied).toBe(r.body.checks.migrations.lastExpected);
    // A migration missing from the database is a 503.
    const [last] = await t.db.execute(
      sql`select id, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
    );
    await t.db.execute(sql`delete from drizzle.__drizzle_migrations where id = ${last.id}`);
    try {
      const missing = await health(`Bearer ${CRON}`);
      expect(missing.status).toBe(503);
      expect(missing.body.reason).toMatch(/migrations: \d+ applied, this build has \d+/);
    } finally {
      await t.db.execute(
        sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${last.id}, 'restored', ${last.created_at})`,
      );
    }
  });
});

describe('LISTEN health (this process only)', () => {
  it("a worker's LISTEN: connected, the last notification, and a reconnect after its connection is cut", async () => {
    const client = postgres(t.url, { max: 2, onnotice: () => {} });
    const worker = await startWorker(t.db, types, {
      pollIntervalMs: 600_000,
      listen: listenWith(client, { probeMs: 200 }),
    });
    try {
      const until = async (check: () => boolean) => {
        const end = Date.now() + 10_000;
        while (!check()) {
          if (Date.now() > end) throw new Error(`not reached: ${JSON.stringify(listenHealth())}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      expect(listenHealth()).toMatchObject({ listeners: 1, connected: true, lastNotificationAt: null, reconnects: 0 });
      await enqueueJobs(t.db, types, [{ type: 'm.report', payload: { n: 1 } }]);
      await until(() => listenHealth().lastNotificationAt !== null);
      const m = await scrape();
      expect(sampleValue(m, 'steady_listen_connections')).toBe(1);
      expect(sampleValue(m, 'steady_listen_connected')).toBe(1);
      expect(sampleValue(m, 'steady_listen_seconds_since_notification')).toBeLessThan(10);

      // The LISTEN connection is cut: postgres.js subscribes again, and the probes keep coming back.
      await t.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity
                             where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`);
      await until(() => listenHealth().reconnects === 1);
      await new Promise((r) => setTimeout(r, 500));
      expect(listenHealth().connected).toBe(true);
      expect(sampleValue(await scrape(), 'steady_listen_reconnects_total')).toBe(1);
    } finally {
      await worker.stop({ deadlineMs: 0 });
      await client.end({ timeout: 5 });
    }
    expect(listenHealth()).toMatchObject({ listeners: 0, connected: false });
  });
});

describe('who may read', () => {
  it.each([
    ['no header', undefined],
    ['empty bearer', 'Bearer '],
    ['another scheme', `Basic ${TOKEN}`],
    ['wrong token', 'Bearer not-the-token-at-all'],
    ['token minus its last character', `Bearer ${TOKEN.slice(0, -1)}`],
    ['token plus a character', `Bearer ${TOKEN}x`],
    ['token in another case', `Bearer ${TOKEN.toUpperCase()}`],
    ['cron secret minus its last character', `Bearer ${CRON.slice(0, -1)}`],
    ['two tokens', `Bearer ${TOKEN} ${CRON}`],
  ])('metrics with %s → 401', async (_, authorization) => {
    const r = await get(metricsRoute.GET, '/api/metrics', authorization);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text)).toEqual({ error: 'Missing or invalid bearer token' });
  });

  it('METRICS_TOKEN and CRON_SECRET both get in; the scheme is case-insensitive', async () => {
    for (const authorization of [`Bearer ${TOKEN}`, `Bearer ${CRON}`, `bearer ${TOKEN}`]) {
      expect((await get(metricsRoute.GET, '/api/metrics', authorization)).status, authorization).toBe(200);
    }
  });

  it('health: anyone learns ok or not; details only with the bearer; a wrong one is not refused, only not told more', async () => {
    expect(await health()).toEqual({ status: 200, body: { ok: true } });
    expect(await health(`Bearer ${TOKEN}x`)).toEqual({ status: 200, body: { ok: true } });
    const detailed = await health(`Bearer ${TOKEN}`);
    expect(detailed.body).toMatchObject({
      ok: true,
      checks: { database: { ok: true }, queue: { ok: true, maxDueAgeS: 60 } },
    });
  });

  it('a production server without METRICS_TOKEN or CRON_SECRET refuses with 503, whatever is offered', async () => {
    vi.resetModules();
    const saved = { ...process.env };
    Object.assign(process.env, { NODE_ENV: 'production' });
    delete process.env.CRON_SECRET;
    delete process.env.METRICS_TOKEN;
    try {
      const fresh = await import('@/app/api/metrics/route');
      for (const authorization of [undefined, 'Bearer ', 'Bearer undefined', `Bearer ${TOKEN}`]) {
        const r = await get(fresh.GET, '/api/metrics', authorization);
        expect(r.status).toBe(503);
        expect(JSON.parse(r.text).error).toMatch(/METRICS_TOKEN \(or CRON_SECRET\) is not configured/);
      }
    } finally {
      process.env = saved;
    }
  });
});
