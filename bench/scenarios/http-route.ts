import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from '@/scripts/lib/embedded-pg';
import { ensureBuilt, startBuiltApp } from '@/scripts/lib/chaos-app';
import { steady } from '../systems/steady';
import { inParallel } from '../systems/types';
import { summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const HTTP_DRAIN = 'drain via /api/cron/process-queue';
export const ROUTE_DIST = '.next-bench';
const DIST = ROUTE_DIST;
/** The bearer every route scenario's app is started with. */
export const SECRET = 'bench-cron-secret-0123456789';
const CALLERS = 4;
const LIMIT = 100;
/**
 * The build in .next-bench, made (or found up to date) by ensureBuilt; the quick run reuses one that is
 * there and builds none itself.
 */
export async function buildForRoutes(ctx: BenchContext): Promise<boolean | 'skipped'> {
  const id = path.join(DIST, 'BUILD_ID');
  if (ctx.config.quick) {
    if (!existsSync(id)) return 'skipped';
    ctx.log(`reusing the build in ${DIST} from ${statSync(id).mtime.toISOString()}`);
    return true;
  }
  try {
    await ensureBuilt(DIST, ctx.log);
    return true;
  } catch (err) {
    ctx.log(String(err));
    return false;
  }
}

/**
 * The production build's process-queue route drained by 4 concurrent callers asking for 100 jobs each,
 * as overlapping cron ticks would, until a call finds nothing to claim. The app runs with its own
 * defaults (pool of 5, concurrency 5 per call); the jobs are `queue.ping`, the app's no-op type.
 */
export async function runHttpRoute(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const db = await ctx.freshDb(steady, 'http');
  const port = await freePort();
  const built = await buildForRoutes(ctx);
  if (built !== true) {
    results.notes.push(
      built === 'skipped'
        ? `HTTP route: skipped in the quick run (no ${DIST} build yet: run the full bench once, or NEXT_DIST_DIR=${DIST} npx next build)`
        : 'HTTP route: next build failed, not measured',
    );
    await server.dropDatabase(db.name);
    return;
  }
  const app = await startBuiltApp({ distDir: DIST, port, env: { DATABASE_URL: db.url, CRON_SECRET: SECRET } });
  const raw = postgres(db.url, { max: 1, onnotice: () => {} });
  const rates: number[] = [];
  try {
    for (let round = 0; round < config.rounds; round++) {
      await steady.bulkEnqueue(db.url, config.httpJobs);
      await server.analyze(db.name);
      let claimed = 0;
      const t0 = performance.now();
      await inParallel(CALLERS, CALLERS, async () => {
        while (true) {
          const res = await fetch(`${app.url}/api/cron/process-queue`, {
            method: 'POST',
            headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
            body: JSON.stringify({ limit: LIMIT }),
          });
          if (!res.ok) throw new Error(`process-queue answered ${res.status}: ${await res.text()}`);
          const body = (await res.json()) as { claimed: number };
          claimed += body.claimed;
          if (body.claimed === 0) return;
        }
      });
      const seconds = (performance.now() - t0) / 1000;
      const [left] = await raw.unsafe(steady.unfinishedSql);
      if (Number(left.n) !== 0 || claimed !== config.httpJobs) {
        throw new Error(`HTTP drain left work: claimed ${claimed} of ${config.httpJobs}`);
      }
      rates.push(config.httpJobs / seconds);
      log(`HTTP route drain: ${Math.round(rates[round])} jobs/s`);
    }
  } finally {
    await raw.end({ timeout: 5 });
    await app.stop();
  }
  results.add({
    scenario: HTTP_DRAIN,
    label: 'Steady',
    unit: 'jobs/s',
    better: 'higher',
    summary: summarise(rates),
    note: `${config.httpJobs.toLocaleString('en')} jobs, ${CALLERS} callers, limit ${LIMIT}`,
  });
  await server.dropDatabase(db.name);
}
