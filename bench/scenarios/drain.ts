import { rotated, SYSTEMS } from '../systems';
import { drain } from '../lib/drain';
import { summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const DRAIN_1 = 'drain, 1 process';
export const DRAIN_2 = 'drain, 2 processes';

/**
 * Each system drains the same number of pre-enqueued no-op jobs (enqueued through its own bulk path,
 * then ANALYZE and CHECKPOINT, as autovacuum and time would do in a running system) with one worker
 * process and then with two. Steady records the history of every status change while it drains.
 */
export async function runDrain(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const rates = new Map<string, number[]>();
  const push = (k: string, v: number) => rates.set(k, [...(rates.get(k) ?? []), v]);
  for (let round = 0; round < config.rounds; round++) {
    for (const processes of [1, 2]) {
      for (const system of rotated(SYSTEMS, round + processes)) {
        const db = await ctx.freshDb(system, `drain_${processes}_${round}`);
        await system.bulkEnqueue(db.url, config.drainJobs);
        await server.analyze(db.name);
        await server.checkpoint();
        const r = await drain(system, db.url, config.drainJobs, processes);
        push(`${processes}:${system.name}`, r.jobsPerSec);
        log(`drain ${system.name} ×${processes}: ${Math.round(r.jobsPerSec)} jobs/s (${r.perProcess.join(' + ')})`);
        await server.dropDatabase(db.name);
      }
    }
  }
  for (const [key, samples] of rates) {
    const [processes, label] = key.split(':');
    results.add({
      scenario: processes === '1' ? DRAIN_1 : DRAIN_2,
      label,
      unit: 'jobs/s',
      better: 'higher',
      summary: summarise(samples),
      note: `${config.drainJobs.toLocaleString('en')} no-op jobs, first claim to last completion`,
    });
  }
}
