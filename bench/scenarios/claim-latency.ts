import postgres from 'postgres';
import { createDb } from '@/lib/db';
import { claimJobs } from '@/lib/queue';
import { steady, NOOP_TYPE } from '../systems/steady';
import { latencies, percentile, summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const CLAIM = 'claim latency';
const LIMIT = 10;

/**
 * claimJobs(limit 10) one call at a time against 10k, 100k and 1M pending jobs in one database that
 * grows between the steps (VACUUM ANALYZE after each fill, as autovacuum would). Each round takes
 * `claimSamples` claims; the jobs it claims stay processing, as a worker's would while it runs them.
 */
export async function runClaimLatency(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const db = await ctx.freshDb(steady, 'claim');
  const raw = postgres(db.url, { max: 1, onnotice: () => {} });
  const { db: orm, client } = createDb({ url: db.url, max: 1 });
  const measure = async (size: string) => {
    const p50: number[] = [];
    const p99: number[] = [];
    for (let round = 0; round < config.rounds; round++) {
      const lat = await latencies(config.claimSamples, async () => {
        const jobs = await claimJobs(orm, { workerId: 'bench', limit: LIMIT, leaseMs: 600_000, now: new Date() });
        if (jobs.length !== LIMIT) throw new Error(`claim returned ${jobs.length} jobs`);
      });
      p50.push(percentile(lat, 50));
      p99.push(percentile(lat, 99));
      // Keep the pending count where the step says: put the claimed jobs back.
      await raw.unsafe(
        `update jobs set status = 'pending', attempts = 0, locked_by = null, locked_until = null where status = 'processing'`,
      );
    }
    results.add({
      scenario: CLAIM,
      label: `p50 @ ${size}`,
      unit: 'ms',
      better: 'lower',
      summary: summarise(p50),
      note: `limit ${LIMIT}`,
    });
    results.add({
      scenario: CLAIM,
      label: `p99 @ ${size}`,
      unit: 'ms',
      better: 'lower',
      summary: summarise(p99),
      note: `limit ${LIMIT}`,
    });
    log(
      `claim latency at ${size}: p50 ${p50.map((v) => v.toFixed(2)).join('/')} ms, p99 ${p99.map((v) => v.toFixed(2)).join('/')} ms`,
    );
  };
  let filled = 0;
  for (const pending of config.claimPending) {
    const add = pending - filled;
    // Rows as enqueueJobs writes them, in 100k-row statements to keep each transaction modest.
    for (let done = 0; done < add; done += 100_000) {
      const n = Math.min(100_000, add - done);
      await raw.unsafe(
        `insert into jobs (queue, type, payload, priority, run_at)
         select 'default', '${NOOP_TYPE}', jsonb_build_object('n', g), 10, now() - interval '1 hour' + g * interval '1 ms'
         from generate_series(${filled + done + 1}, ${filled + done + n}) g`,
      );
    }
    filled = pending;
    await server.analyze(db.name);
    await measure(`${pending.toLocaleString('en')} pending`);
  }
  // The largest backlog again, every job keyed (four keys) under limits that do not bind: each claim now
  // takes its turn on the limit rows, counts what runs under each and walks the keys' own index.
  const biggest = config.claimPending[config.claimPending.length - 1];
  await raw.unsafe(
    `update jobs set limit_key = 'key' || (g % 4) from (select id, row_number() over () as g from jobs) k where jobs.id = k.id`,
  );
  await raw.unsafe(`insert into limits (key, concurrency, rate, period_ms, burst, tokens)
    select 'key' || k, 100000, 1000000, 1000, 1000000, 1000000 from generate_series(0, 3) k`);
  await server.analyze(db.name);
  await measure(`${biggest.toLocaleString('en')} pending, 4 keys with limits`);
  // And owned by 10,000 owners taking turns (fair shares), their turns as the insert trigger gives them
  // to owners enqueueing together: one each in turn.
  await raw.unsafe(`update jobs set owner_key = 'owner' || (k.g % 10000), turn_at = now() - interval '1 hour' + (k.g / 10000) * interval '1 microsecond'
    from (select id, row_number() over () as g from jobs) k where jobs.id = k.id`);
  await server.analyze(db.name);
  await measure(`${biggest.toLocaleString('en')} pending, 4 keys with limits, 10,000 owners`);
  await client.end();
  await raw.end();
  await server.dropDatabase(db.name);
}
