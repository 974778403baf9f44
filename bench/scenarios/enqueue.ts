import postgres from 'postgres';
import { randomUUID } from 'node:crypto';
import { rotated, SYSTEMS, systemByName } from '../systems';
import { NOOP_PAYLOAD } from '../systems/types';
import { NOOP_TYPE } from '../systems/steady';
import { elapsed } from '../lib/stats';
import { Rounds } from '../lib/results';
import type { BenchContext } from '../lib/context';

export const BULK = 'bulk enqueue';
export const PLAIN_INSERT = 'plain multi-row INSERT';
export const SINGLE = 'single enqueue';

/**
 * The baseline for bulk enqueue: the same rows written to Steady's jobs table (same indexes and
 * triggers) by plain multi-row INSERT … VALUES statements of 5,000 rows, with nothing else around them.
 */
async function plainInsert(url: string, n: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const now = new Date().toISOString();
  for (let i = 0; i < n; i += 5000) {
    const params: unknown[] = [];
    const values: string[] = [];
    for (let j = i; j < Math.min(n, i + 5000); j++) {
      const p = params.length;
      values.push(
        `($${p + 1}::uuid, 'default', '${NOOP_TYPE}', $${p + 2}::jsonb, 10, $${p + 3}::timestamptz, 3, $${p + 3}::timestamptz, $${p + 3}::timestamptz)`,
      );
      params.push(randomUUID(), NOOP_PAYLOAD(j), now);
    }
    await sql.unsafe(
      `insert into jobs (id, queue, type, payload, priority, run_at, max_attempts, created_at, updated_at) values ${values.join(',')}`,
      params as never[],
    );
  }
  await sql.end();
}

export async function runEnqueue(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const rounds = new Rounds();
  const labels = [...SYSTEMS.map((s) => s.name), PLAIN_INSERT];
  for (let round = 0; round < config.rounds; round++) {
    for (const label of rotated(labels, round)) {
      const system = systemByName(label === PLAIN_INSERT ? 'Steady' : label);
      const db = await ctx.freshDb(system, `bulk_${round}`);
      await server.checkpoint();
      const seconds = await elapsed(() =>
        label === PLAIN_INSERT ? plainInsert(db.url, config.bulkJobs) : system.bulkEnqueue(db.url, config.bulkJobs),
      );
      rounds.push(BULK, label, config.bulkJobs / seconds);
      await server.dropDatabase(db.name);
    }
    for (const system of rotated(SYSTEMS, round)) {
      const db = await ctx.freshDb(system, `single_${round}`);
      await server.checkpoint();
      const seconds = await elapsed(() => system.singleEnqueue(db.url, config.singleJobs, config.inFlight));
      rounds.push(SINGLE, system.name, config.singleJobs / seconds);
      await server.dropDatabase(db.name);
    }
    log(`enqueue round ${round + 1}/${config.rounds} done`);
  }
  rounds.addTo(results, {
    [BULK]: { unit: 'jobs/s', better: 'higher', note: `${config.bulkJobs.toLocaleString('en')} jobs` },
    [SINGLE]: {
      unit: 'jobs/s',
      better: 'higher',
      note: `${config.singleJobs.toLocaleString('en')} jobs, ${config.inFlight} in flight`,
    },
  });
}
