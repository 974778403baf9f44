/**
 * PostgreSQL stopped for a few seconds in the middle of a run, then started again on the same port and
 * data directory. While it is down every route answers quickly with a 503 JSON (never a 500, never a
 * hang); afterwards the same pools recover by themselves and the run finishes with nothing lost.
 * The server is this file's own, so stopping it disturbs no other test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { startEmbeddedPostgres, type RunningPostgres } from '@/scripts/lib/embedded-pg';
import { ensureDatabase, migrateDatabase } from '@/scripts/lib/migrate';
import { createDb, type AppDb } from '@/lib/db';
import { enqueueJobs, runBatch } from '@/lib/queue';
import { isDatabaseUnavailable } from '@/lib/http';
import { testTypes } from '../helpers/factories';
import { callRoute, loadRoutes, readResponse, type Route } from '../helpers/route-catalog';

const TOKEN = 'outage-shared-token-0123456789';
const JOBS = 1_500;
const LEASE_MS = 2_000;
const CALL_LIMIT_MS = 8_000;

let dir: string;
let pg: RunningPostgres;
let url: string;
let monitor: { db: AppDb; client: { end: (o?: { timeout?: number }) => Promise<void> } };
let routes: Route[];
let failures: { file: string; error: string }[];
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'steady-outage-'));
  chmodSync(dir, 0o755); // the server runs as user postgres
  pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data') });
  await ensureDatabase(pg.url('postgres'), 'steady');
  url = pg.url('steady');
  await migrateDatabase(url);
  Object.assign(process.env, {
    DATABASE_URL: url,
    NODE_ENV: 'test',
    // One token opens both the cron and the API-key routes; no dashboard password means the
    // development dashboard is open, so every route gets past its guard and reaches the database.
    CRON_SECRET: TOKEN,
    QUEUE_API_KEY: TOKEN,
  });
  delete process.env.DASHBOARD_PASSWORD;
  ({ routes, failures } = await loadRoutes());
  monitor = createDb({ url, max: 2 });
  process.on('unhandledRejection', onUnhandled);
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await monitor?.client.end({ timeout: 2 }).catch(() => {});
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Values that get past each route's validation, so the call goes on to the database.
const PARAMS: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000001',
  job_id: '00000000-0000-4000-8000-000000000001',
  name: 'default',
  app_id: 'outage-app',
  username: 'outage-user',
};
const QUERIES: Record<string, string> = { '/api/dashboard/tasks': 'ids=00000000-0000-4000-8000-000000000001' };

interface Answer {
  route: string;
  status: number;
  body: unknown;
  ms: number;
}

async function sweep(): Promise<Answer[]> {
  const calls = routes
    .filter((r) => r.handlers.GET)
    .map(async (r) => {
      const t0 = Date.now();
      const res = await Promise.race([
        callRoute(r, 'GET', {
          params: PARAMS,
          query: QUERIES[r.pattern],
          headers: { authorization: `Bearer ${TOKEN}` },
        }),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), CALL_LIMIT_MS)),
      ]);
      if (!res) return { route: r.pattern, status: 0, body: 'no answer in time', ms: Date.now() - t0 };
      const { status, json } = await readResponse(res);
      return { route: r.pattern, status, body: json, ms: Date.now() - t0 };
    });
  return Promise.all(calls);
}

const count = async (where: ReturnType<typeof sql>) =>
  Number((await monitor.db.execute(sql`select count(*)::int as n from jobs where ${where}`))[0].n);

describe('database outage', () => {
  it('every route module loads', () => {
    expect(failures).toEqual([]);
  });

  it('routes answer 503 JSON while PostgreSQL is down, recover on their own, and the run loses nothing', async () => {
    const runs = new Map<number, number>();
    const types = testTypes({
      run: async ({ n }) => {
        runs.set(n, (runs.get(n) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 4));
        return { n };
      },
    });
    // Leases are 2 s to keep the test short, so on a starved CI machine a job can lose a lease or two
    // on top of the outage's; attempts enough for that keep "nothing lost" about loss, not about load.
    const inputs = Array.from({ length: JOBS }, (_, n) => ({ type: 'test.noop', payload: { n }, maxAttempts: 10 }));
    await enqueueJobs(monitor.db, types, inputs, {
      now: new Date(),
    });

    // Two workers that, like the cron route, just try again on the next tick after an error.
    let stop = false;
    const workerErrors: unknown[] = [];
    const workers = Array.from({ length: 2 }, async () => {
      const { db, client } = createDb({ url, max: 2 });
      while (!stop) {
        try {
          const s = await runBatch(db, types, { limit: 10, concurrency: 5, leaseMs: LEASE_MS, timeBudgetMs: 1_500 });
          if (s.claimed === 0) await new Promise((r) => setTimeout(r, 50));
        } catch (err) {
          workerErrors.push(err);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      await client.end({ timeout: 2 });
    });

    const before = await sweep();
    expect(before.find((a) => a.route === '/api/health')).toMatchObject({ status: 200 });
    while ((await count(sql`status = 'completed'`)) < JOBS / 4) await new Promise((r) => setTimeout(r, 50));

    await pg.stop();
    const down: Answer[] = [];
    const outageStarted = Date.now();
    while (Date.now() - outageStarted < 3_000) {
      down.push(...(await sweep()));
      await new Promise((r) => setTimeout(r, 300));
    }

    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: pg.port });
    const restartedAt = Date.now();
    let health: Answer | undefined;
    while (Date.now() - restartedAt < 20_000) {
      health = (await sweep()).find((a) => a.route === '/api/health');
      if (health?.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(health?.status, 'health did not recover without a restart').toBe(200);
    const recoveredMs = Date.now() - restartedAt;

    const deadline = Date.now() + 60_000;
    while ((await count(sql`status = 'completed'`)) < JOBS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    stop = true;
    await Promise.all(workers);

    // While down: 503 JSON with a message, or a 4xx from validation before the database; never 500, never slow.
    const broken = down.filter((a) => !(a.status === 503 || (a.status >= 400 && a.status < 500)));
    expect(broken, 'routes that did not answer 503/4xx during the outage').toEqual([]);
    expect(down.filter((a) => a.ms > CALL_LIMIT_MS)).toEqual([]);
    const unavailable = down.filter((a) => a.status === 503);
    for (const a of unavailable) {
      expect((a.body as { error?: string })?.error, a.route).toMatch(/database is unavailable/i);
    }
    const routesThat503 = new Set(unavailable.map((a) => a.route));
    expect(routesThat503.has('/api/health')).toBe(true);

    // The workers' errors were all recognised as the database being away, not something unknown.
    const codes = new Set(workerErrors.map(errorCodes).flat());
    expect(workerErrors.filter((e) => !isDatabaseUnavailable(e)).map(String)).toEqual([]);

    // Nothing lost: every job completed; the only second runs are jobs caught mid-flight by the outage,
    // which went back to the queue once their lease ran out.
    const unfinished = await monitor.db.execute(sql`
      select status, attempts, max_attempts, run_at, locked_by, locked_until, last_error
      from jobs where status <> 'completed' limit 5`);
    expect(await count(sql`status = 'completed'`), `jobs left over: ${JSON.stringify(unfinished)}`).toBe(JOBS);
    expect(await count(sql`status <> 'completed'`)).toBe(0);
    expect(runs.size).toBe(JOBS);
    const reRuns = [...runs.values()].reduce((s, n) => s + n - 1, 0);
    const [rescued] = await monitor.db.execute(sql`
      select count(*)::int as n from job_events where from_status = 'processing' and to_status = 'pending'`);
    expect(reRuns).toBeLessThanOrEqual(Number(rescued.n));
    console.log(
      `[reliability-db-outage] ${down.length} calls during a ${((restartedAt - outageStarted) / 1000).toFixed(1)} s outage ` +
        `over ${routes.length} routes: ${unavailable.length}× 503 from ${routesThat503.size} routes, slowest ` +
        `${Math.max(...down.map((a) => a.ms))} ms; worker errors ${workerErrors.length} (codes ${[...codes].join(', ')}); ` +
        `routes answered 200 again ${recoveredMs} ms after the restart; ${reRuns} re-runs after lease rescue`,
    );
    // Last, so the guarantees above are checked even when this fails: an unhandled rejection kills a
    // worker process started with Node's defaults.
    expect(
      unhandled.map((e) => String(e).slice(0, 200)),
      'unhandled rejections during the outage',
    ).toEqual([]);
  }, 150_000);
});

function errorCodes(err: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
  }
  return out;
}
