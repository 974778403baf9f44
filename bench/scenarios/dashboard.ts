import postgres from 'postgres';
import { createDb } from '@/lib/db';
import { compactStats, getQueueStats, listJobs, type JobFilter } from '@/lib/queue';
import { steady } from '../systems/steady';
import { measureReads } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const DASHBOARD = 'dashboard reads';

const TYPES = [
  ['sync', 'sync.platform', 0.55],
  ['profile', 'profile.process', 0.1],
  ['pipeline', 'pipeline.item', 0.15],
  ['jobs', 'document.extract', 0.15],
  ['default', 'bench.noop', 0.05],
] as const;

/**
 * A jobs table shaped like a busy deployment: mostly finished work over three days, some pending,
 * a few running, failed, cancelled and paused; per-minute stats for two days.
 */
export async function seed(url: string, rows: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const typeCase = (col: 0 | 1) => {
    let acc = 0;
    const arms = TYPES.map((t) => {
      acc += t[2];
      return `when r < ${acc.toFixed(2)} then '${t[col]}'`;
    });
    return `case ${arms.join(' ')} else 'default' end`;
  };
  for (let from = 1; from <= rows; from += 100_000) {
    const to = Math.min(rows, from + 99_999);
    await sql.unsafe(`
      insert into jobs (queue, type, payload, status, priority, run_at, attempts, locked_by, locked_until, last_error,
                        dedup_key, user_id, entity_type, entity_id, created_at, updated_at, started_at, completed_at, duration_ms)
      select queue, type, jsonb_build_object('n', g), status::job_status, 10, created, attempts,
             case when status = 'processing' then 'worker:bench' end,
             case when status = 'processing' then now() + interval '1 minute' end,
             case when status = 'failed' then 'platform said 502' end,
             case when queue = 'sync' then 'sync:' || g end,
             case when queue = 'sync' then md5(g::text)::uuid end,
             case when queue = 'sync' then 'user' end,
             case when queue = 'sync' then md5(g::text) end,
             created, created, case when status <> 'pending' then created end,
             case when status in ('completed', 'failed', 'cancelled') then created + interval '2 seconds' end,
             case when status in ('completed', 'failed') then (random() * 3000)::int end
      from (
        select g, ${typeCase(0)} as queue, ${typeCase(1)} as type,
               case when s < 0.88 then 'completed' when s < 0.92 then 'failed' when s < 0.98 then 'pending'
                    when s < 0.985 then 'processing' when s < 0.995 then 'cancelled' else 'paused' end as status,
               case when s < 0.92 then 1 else 0 end as attempts,
               now() - interval '3 days' + (g::float8 / ${rows}) * interval '3 days' as created
        from (select g, random() as r, random() as s from generate_series(${from}, ${to}) g) x
      ) y`);
  }
  await sql.unsafe(`
    insert into job_minute_stats (minute, queue, type, completed, failed, duration_ms_sum)
    select date_trunc('minute', now()) - m * interval '1 minute', t.queue, t.type, 200, 8, 200 * 900
    from generate_series(0, 2879) m
    cross join (values ${TYPES.map(([q, t]) => `('${q}', '${t}')`).join(', ')}) t(queue, type)`);
  await sql.end();
}

export async function runDashboard(ctx: BenchContext): Promise<void> {
  const { config, server } = ctx;
  const db = await ctx.freshDb(steady, 'dashboard');
  await seed(db.url, config.dashboardRows);
  await server.analyze(db.name);
  const { db: orm, client } = createDb({ url: db.url, max: 5 });
  await compactStats(orm, { now: new Date() });
  let deep = (await listJobs(orm, {}, { limit: 50 })).nextCursor;
  for (let i = 0; i < 20 && deep; i++) deep = (await listJobs(orm, {}, { limit: 50, cursor: deep })).nextCursor;
  const list =
    (filter: JobFilter, limit = 50, cursor: string | null = null) =>
    () =>
      listJobs(orm, filter, { limit, cursor });
  const reads: [string, () => Promise<unknown>][] = [
    ['getQueueStats', () => getQueueStats(orm, { now: new Date() })],
    ['listJobs newest', list({})],
    ['listJobs page 21', list({}, 50, deep)],
    ['listJobs status=failed', list({ statuses: ['failed'] })],
    ['listJobs status=processing', list({ statuses: ['processing'] }, 20)],
    ['listJobs queue=profile', list({ queue: 'profile' })],
    ['listJobs type=document.extract', list({ type: 'document.extract' })],
    ['listJobs queue+status', list({ queue: 'sync', statuses: ['failed'] })],
    ['listJobs search dedup key', list({ search: 'sync:4242' })],
  ];
  const size = `${config.dashboardRows.toLocaleString('en')} rows`;
  await measureReads(ctx, {
    scenario: DASHBOARD,
    reads,
    rounds: config.rounds,
    samples: config.readSamples,
    note: size,
  });
  await client.end();
  await server.dropDatabase(db.name);
}
