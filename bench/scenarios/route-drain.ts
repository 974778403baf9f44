import postgres from 'postgres';
import { freePort } from '@/scripts/lib/embedded-pg';
import { startBuiltApp, type RunningApp } from '@/scripts/lib/chaos-app';
import { startFakePlatforms } from '@/scripts/fake-platforms';
import { steady } from '../systems/steady';
import { sleep, summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';
import { buildForRoutes, ROUTE_DIST, SECRET } from './http-route';

export const TICK = 'one GET tick as Vercel sends it';
export const FAN_OUT = 'fan-out drain from one GET tick';
export const SYNC_THROUGH_ROUTE = 'sync-all worked off through process-queue';
const TICK_JOBS = 2_000;
export const PLATFORMS = ['github', 'youtube', 'twitter', 'instagram'] as const;
const PARALLEL = [1, 2, 4];

/** A process-queue tick as Vercel Cron sends it: a bare GET with the bearer. */
export const tick = (app: RunningApp) =>
  fetch(`${app.url}/api/cron/process-queue`, {
    headers: { authorization: `Bearer ${SECRET}`, 'user-agent': 'vercel-cron/1.0' },
  });

/** sync-all for yesterday, as the nightly run asks: a day the platforms list in one page. */
export const syncAllYesterday = (app: RunningApp) =>
  fetch(`${app.url}/api/cron/sync-all`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) }),
  });

/** `users` users, each connected to every platform under their username. */
export async function seedSyncUsers(raw: postgres.Sql, users: number): Promise<void> {
  await raw.unsafe(`insert into users (username, display_name)
    select 'user' || g, 'User ' || g from generate_series(1, ${users}) g`);
  await raw.unsafe(`insert into platform_connections (user_id, platform, handle)
    select u.id, p::platform, u.username from users u cross join unnest('{${PLATFORMS.join(',')}}'::text[]) p`);
}

/** Waits until no job is pending or processing; resolves with the seconds since `t0`. */
async function workedOff(raw: postgres.Sql, t0: number, timeoutMs: number): Promise<number> {
  while (true) {
    const [r] = await raw.unsafe(steady.unfinishedSql);
    if (Number(r.n) === 0) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${r.n} jobs still unfinished after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/**
 * The path a deployed app takes, through the production build:
 * - one bare GET tick (no query, no body) with 2,000 due no-op jobs and fan-out off: the share it completes;
 * - one GET tick with `httpJobs` due no-op jobs and fan-out on (APP_URL, PROCESS_QUEUE_MAX_PARALLEL=4):
 *   jobs/s until the last is finished;
 * - sync-all for `routeSyncUsers` users × 4 platforms against the fake APIs (quotas off), worked off by
 *   the calls sync-all starts and one process-queue tick, at PROCESS_QUEUE_MAX_PARALLEL 1, 2 and 4.
 */
export async function runRouteDrain(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const built = await buildForRoutes(ctx);
  if (built !== true) {
    results.notes.push(
      `route drain: ${built === 'skipped' ? `skipped in the quick run (no ${ROUTE_DIST} build yet)` : 'next build failed'}`,
    );
    return;
  }
  const fake = await startFakePlatforms({ port: 0 });
  const db = await ctx.freshDb(steady, 'route');
  const raw = postgres(db.url, { max: 1, onnotice: () => {} });
  const start = async (opts: { fanOut: boolean; maxParallel?: number }) => {
    const port = await freePort();
    return startBuiltApp({
      distDir: ROUTE_DIST,
      port,
      env: {
        DATABASE_URL: db.url,
        CRON_SECRET: SECRET,
        ...fake.baseUrls,
        ...(opts.fanOut ? { APP_URL: `http://127.0.0.1:${port}` } : {}),
        ...(opts.maxParallel ? { PROCESS_QUEUE_MAX_PARALLEL: String(opts.maxParallel) } : {}),
      },
    });
  };
  try {
    // 1. A tick with fan-out off: what one call does on its own.
    let app = await start({ fanOut: false });
    const shares: number[] = [];
    const tickSeconds: number[] = [];
    for (let round = 0; round < config.rounds; round++) {
      await raw.unsafe('truncate jobs, job_events, job_counts, job_minute_stats, drain_calls');
      await steady.bulkEnqueue(db.url, TICK_JOBS);
      const t0 = performance.now();
      const body = (await (await tick(app)).json()) as { counts?: { completed: number } };
      tickSeconds.push((performance.now() - t0) / 1000);
      shares.push((100 * (body.counts?.completed ?? 0)) / TICK_JOBS);
      log(`${TICK}: ${body.counts?.completed} of ${TICK_JOBS} completed in ${tickSeconds[round].toFixed(2)} s`);
    }
    await app.stop();
    results.add({
      scenario: TICK,
      label: `share of ${TICK_JOBS.toLocaleString('en')} due no-op jobs completed`,
      unit: '%',
      better: 'higher',
      summary: summarise(shares),
    });
    results.add({
      scenario: TICK,
      label: `its duration (${TICK_JOBS.toLocaleString('en')} jobs)`,
      unit: 's',
      better: 'lower',
      summary: summarise(tickSeconds),
    });

    // 2. One tick with fan-out on.
    app = await start({ fanOut: true, maxParallel: 4 });
    const rates: number[] = [];
    for (let round = 0; round < config.rounds; round++) {
      await raw.unsafe('truncate jobs, job_events, job_counts, job_minute_stats, drain_calls');
      await steady.bulkEnqueue(db.url, config.httpJobs);
      await server.analyze(db.name);
      const t0 = performance.now();
      await tick(app);
      rates.push(config.httpJobs / (await workedOff(raw, t0, 600_000)));
      log(`${FAN_OUT}: ${Math.round(rates[round])} jobs/s`);
    }
    await app.stop();
    results.add({
      scenario: FAN_OUT,
      label: `${config.httpJobs.toLocaleString('en')} no-op jobs, PROCESS_QUEUE_MAX_PARALLEL=4`,
      unit: 'jobs/s',
      better: 'higher',
      summary: summarise(rates),
    });

    // 3. sync-all through the route at 1, 2 and 4 calls at once.
    await seedSyncUsers(raw, config.routeSyncUsers);
    // Quotas off: the platforms' default limits would pace this by the hour.
    await raw.unsafe('delete from limits');
    const tasks = config.routeSyncUsers * PLATFORMS.length;
    for (const parallel of PARALLEL) {
      app = await start({ fanOut: true, maxParallel: parallel });
      const paced: number[] = [];
      for (let round = 0; round < config.rounds; round++) {
        await raw.unsafe('truncate jobs, job_events, job_counts, job_minute_stats, drain_calls, activities');
        fake.control.reset();
        const t0 = performance.now();
        const res = await syncAllYesterday(app);
        const { created } = (await res.json()) as { created: number };
        if (created !== tasks) throw new Error(`sync-all created ${created} of ${tasks}`);
        await tick(app); // the minute's cron tick, as on Vercel Pro
        paced.push(tasks / (await workedOff(raw, t0, 1_200_000)));
        log(`${SYNC_THROUGH_ROUTE}, ${parallel} at once: ${Math.round(paced[round])} tasks/s`);
      }
      await app.stop();
      results.add({
        scenario: SYNC_THROUGH_ROUTE,
        label: `PROCESS_QUEUE_MAX_PARALLEL=${parallel}`,
        unit: 'tasks/s',
        better: 'higher',
        summary: summarise(paced),
        note: `${tasks.toLocaleString('en')} tasks (${config.routeSyncUsers.toLocaleString('en')} users × 4), fake APIs without quotas`,
      });
    }
  } finally {
    await raw.end({ timeout: 5 });
    await fake.close();
    await server.dropDatabase(db.name);
  }
}
