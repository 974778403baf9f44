import postgres from 'postgres';
import { createDb } from '@/lib/db';
import { compactStats, getQueueMetrics } from '@/lib/queue';
import { checkHealth } from '@/lib/observability/health';
import { steady } from '../systems/steady';
import { measureReads } from '../lib/stats';
import { seed } from './dashboard';
import type { BenchContext } from '../lib/context';

export const METRICS = 'metrics and health';
const TARGET_P95_MS = 20;

/**
 * GET /api/metrics and /api/health at the dashboard's 1,000,000 rows (6 % pending, spread over three
 * days so the oldest due job is days old), with the sync jobs carrying their platform's limit key as the
 * workload's do: the route handlers called in this process (auth, the engine's reads, prom-client's
 * text), without Next's HTTP layer, and the engine read alone.
 */
export async function runMetrics(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const db = await ctx.freshDb(steady, 'metrics');
  await seed(db.url, config.dashboardRows);
  const raw = postgres(db.url, { max: 1, onnotice: () => {} });
  await raw.unsafe(`update jobs set limit_key = (array['github', 'youtube', 'twitter', 'instagram'])[1 + abs(hashtext(id::text)) % 4]
                    where queue = 'sync' and status in ('pending', 'processing')`);
  await raw.end();
  await server.analyze(db.name);
  const { db: orm, client } = createDb({ url: db.url, max: 5 });
  await compactStats(orm, { now: new Date() });

  // The routes read their configuration and pool from the environment, as in production.
  const token = 'bench-metrics-token';
  Object.assign(process.env, { DATABASE_URL: db.url, METRICS_TOKEN: token, DATABASE_POOL_MAX: '5' });
  const metricsRoute = await import('@/app/api/metrics/route');
  const healthRoute = await import('@/app/api/health/route');
  const call = (handler: (req: Request) => Promise<Response>, path: string) => async () => {
    const res = await handler(
      new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } }),
    );
    if (res.status !== 200 && res.status !== 503)
      throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.text();
  };
  const reads: [string, () => Promise<unknown>][] = [
    ['GET /api/metrics', call(metricsRoute.GET, '/api/metrics')],
    ['GET /api/health', call(healthRoute.GET, '/api/health')],
    ['getQueueMetrics', () => getQueueMetrics(orm, { now: new Date() })],
    ['checkHealth', () => checkHealth(orm, { now: new Date(), maxDueAgeS: 300 })],
  ];
  const size = `${config.dashboardRows.toLocaleString('en')} rows`;
  const text = (await reads[0][1]()) as string;
  log(`metrics text: ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples, ${text.length} bytes`);
  const p95 = await measureReads(ctx, {
    scenario: METRICS,
    reads,
    rounds: config.rounds,
    samples: config.readSamples,
    note: size,
    warmup: 5,
  });
  const metricsP95 = p95.get('GET /api/metrics')!.median;
  results.notes.push(
    `metrics endpoint: p95 ${metricsP95.toFixed(1)} ms at ${size} (target ≤ ${TARGET_P95_MS} ms: ${metricsP95 <= TARGET_P95_MS ? 'met' : 'not met'})`,
  );
  const g = globalThis as unknown as { steadyDb?: { client: { end(o: { timeout: number }): Promise<void> } } };
  await g.steadyDb?.client.end({ timeout: 5 });
  g.steadyDb = undefined;
  await client.end();
  await server.dropDatabase(db.name);
}
