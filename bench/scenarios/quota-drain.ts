import postgres from 'postgres';
import { freePort } from '@/scripts/lib/embedded-pg';
import { startBuiltApp } from '@/scripts/lib/chaos-app';
import { startFakePlatforms } from '@/scripts/fake-platforms';
import { steady } from '../systems/steady';
import { sleep, summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';
import { buildForRoutes, ROUTE_DIST, SECRET } from './http-route';
import { PLATFORMS, seedSyncUsers, syncAllYesterday, tick } from './route-drain';

export const QUOTA_DRAIN = 'sync-all against quota-shaped platforms';
// Time runs 20 times faster: an hour's quota window lasts 3 minutes, the minute's cron tick comes every
// 3 seconds. (At 60×, GitHub's one-at-a-time cap, not its quota, set the pace: 83 tasks a second in a row.)
const SPEED = 20;
const TICK_MS = 60_000 / SPEED;
/** The real APIs' quotas (requests per window), as the fake enforces them. */
const QUOTAS = {
  github: { limit: 5_000, windowSec: 3_600 },
  youtube: { limit: 10_000, windowSec: 86_400 },
  twitter: { limit: 900, windowSec: 900 },
  instagram: { limit: 200, windowSec: 3_600 },
} as const;
type Platform = keyof typeof QUOTAS;

/**
 * sync-all for `routeSyncUsers` users × 4 platforms through the production build, against the fake
 * APIs enforcing the real quotas (fixed windows; past them a 429), with the platforms' default limits
 * (migrations 0015 and 0017) in place. Time is compressed 20×: the quotas' windows and the limits'
 * periods alike, and a GET tick every 3 s stands for Vercel's minute. For `quotaSeconds`, it counts
 * the requests each platform answered and refused: zero refused is the target, and the pace is the
 * answered requests against what the quota allows in that time (quota × time / window).
 */
export async function runQuotaDrain(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const built = await buildForRoutes(ctx);
  if (built !== true) {
    results.notes.push(
      `quota drain: ${built === 'skipped' ? `skipped in the quick run (no ${ROUTE_DIST} build yet)` : 'next build failed'}`,
    );
    return;
  }
  const fake = await startFakePlatforms({ port: 0 });
  const db = await ctx.freshDb(steady, 'quota');
  const raw = postgres(db.url, { max: 1, onnotice: () => {} });
  // One hour of quota time (a quick run: a quarter).
  const seconds = (config.quick ? 900 : 3_600) / SPEED;
  try {
    await seedSyncUsers(raw, config.routeSyncUsers);
    const port = await freePort();
    const app = await startBuiltApp({
      distDir: ROUTE_DIST,
      port,
      env: {
        DATABASE_URL: db.url,
        CRON_SECRET: SECRET,
        ...fake.baseUrls,
        APP_URL: `http://127.0.0.1:${port}`,
        PROCESS_QUEUE_MAX_PARALLEL: '4',
      },
    });
    const answered: Record<Platform, number[]> = { github: [], youtube: [], twitter: [], instagram: [] };
    const refused: number[] = [];
    try {
      for (let round = 0; round < config.rounds; round++) {
        await raw.unsafe('truncate jobs, job_events, job_counts, job_minute_stats, drain_calls, activities');
        // The default limits, their periods compressed like the quotas' windows, buckets full.
        await raw.unsafe(`update limits set period_ms = p.period_ms / ${SPEED}, tokens = burst, refilled_at = null, cooldown_until = null
          from (values ('github', 3600000), ('youtube', 86400000), ('twitter', 900000), ('instagram', 3600000)) p(key, period_ms)
          where limits.key = p.key`);
        fake.control.reset();
        fake.control.apply({
          quotas: Object.fromEntries(
            PLATFORMS.map((p) => [p, { limit: QUOTAS[p].limit, windowSec: QUOTAS[p].windowSec / SPEED }]),
          ),
        });
        const res = await syncAllYesterday(app);
        const t0 = performance.now();
        if (!res.ok) throw new Error(`sync-all answered ${res.status}: ${await res.text()}`);
        while (performance.now() - t0 < seconds * 1000) {
          void tick(app).then(
            (r) => r.body?.cancel(),
            () => {},
          );
          await sleep(TICK_MS);
        }
        const stats = fake.control.stats();
        refused.push(PLATFORMS.reduce((n, p) => n + (stats.rateLimited[p] ?? 0), 0));
        const pace = PLATFORMS.map((p) => {
          const ok = (stats.byPlatform[p] ?? 0) - (stats.rateLimited[p] ?? 0);
          const allowed = (QUOTAS[p].limit * seconds * SPEED) / QUOTAS[p].windowSec;
          answered[p].push((100 * ok) / allowed);
          return `${p} ${ok} of ${Math.round(allowed)} (${Math.round((100 * ok) / allowed)} %)`;
        });
        log(`${QUOTA_DRAIN}: ${seconds} s, refused ${refused[round]}; answered: ${pace.join(', ')}`);
      }
    } finally {
      await app.stop();
    }
    const note = `${config.routeSyncUsers.toLocaleString('en')} users × 4, time ${SPEED}× faster: ${seconds} s stand for ${(seconds * SPEED) / 60} minutes`;
    results.add({
      scenario: QUOTA_DRAIN,
      label: 'requests refused over quota',
      unit: 'requests',
      better: 'lower',
      summary: summarise(refused),
      note,
    });
    for (const p of PLATFORMS) {
      results.add({
        scenario: QUOTA_DRAIN,
        label: `${p}: pace against its quota (${QUOTAS[p].limit.toLocaleString('en')} per ${QUOTAS[p].windowSec / 60} min)`,
        unit: '%',
        better: 'higher',
        summary: summarise(answered[p]),
        note,
      });
    }
  } finally {
    await raw.end({ timeout: 5 });
    await fake.close();
    await server.dropDatabase(db.name);
  }
}
