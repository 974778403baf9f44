import postgres from 'postgres';
import { createDb } from '@/lib/db';
import { compactStats, getQueueMetrics } from '@/lib/queue';
import { checkHealth } from '@/lib/observability/health';
import { steady } from '../systems/steady';
import { latencies, percentile, summarise } from '../lib/stats';
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
    const res = await handler(new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } }));
    if (res.status !== 200 && res.status !== 503) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.text();
  };
  const reads: [string, () => Promise<unknown>][] = [
    ['GET /api/metrics', call(metricsRoute.GET, '/api/metrics')],
    ['GET /api/health', call(healthRoute.GET, '/api/health')],
    ['getQueueMetrics', () => getQueueMetrics(orm, { now: new Date() })],
    ['checkHealth', () => checkHealth(orm, { now: new Date(), maxDueAgeS: 300 })],
  ];
  const size = `${config.dashboardRows.toLocaleString('en')} rows`;
  const text = await reads[0][1]() as string;
  log(`metrics text: ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples, ${text.length} bytes`);
  for (const [label, read] of reads) {
    await latencies(5, read);
    const p50: number[] = [];
    const p95: number[] = [];
    for (let round = 0; round < config.rounds; round++) {
      const lat = await latencies(config.readSamples, read);
      p50.push(percentile(lat, 50));
      p95.push(percentile(lat, 95));
    }
    const [s50, s95] = [summarise(p50), summarise(p95)];
    results.add({ scenario: METRICS, label: `${label} p50`, unit: 'ms', better: 'lower', summary: s50, note: size });
    results.add({ scenario: METRICS, label: `${label} p95`, unit: 'ms', better: 'lower', summary: s95, note: size });
    log(`${label} at ${size}: p50 ${s50.median.toFixed(1)} ms, p95 ${s95.median.toFixed(1)} ms`);
    if (label === 'GET /api/metrics') {
      const met = s95.median <= TARGET_P95_MS;
      results.notes.push(`metrics endpoint: p95 ${s95.median.toFixed(1)} ms at ${size} (target ≤ ${TARGET_P95_MS} ms: ${met ? 'met' : 'not met'})`);
    }
  }
  const g = globalThis as unknown as { steadyDb?: { client: { end(o: { timeout: number }): Promise<void> } } };
  await g.steadyDb?.client.end({ timeout: 5 });
  g.steadyDb = undefined;
  await client.end();
  await server.dropDatabase(db.name);
}
