import postgres from 'postgres';
import { rotated, SYSTEMS } from '../systems';
import { steady } from '../systems/steady';
import { drain } from '../lib/drain';
import { Rounds, type About } from '../lib/results';
import type { BenchContext } from '../lib/context';

export const DRAIN_1 = 'drain, 1 process';
export const DRAIN_2 = 'drain, 2 processes';
export const DRAIN_1_WORKER_CPU = 'drain, 1 process: worker CPU';
export const DRAIN_1_SERVER_CPU = 'drain, 1 process: server CPU';
export const DRAIN_LIMITED = 'drain, 1 process, limits in place but not binding';

/**
 * Each system drains the same number of pre-enqueued no-op jobs (enqueued through its own bulk path,
 * then ANALYZE and CHECKPOINT, as autovacuum and time would do in a running system) with one worker
 * process and then with two. Steady records the history of every status change while it drains.
 * With one process it also records the CPU each job cost the worker process and the server (user +
 * system time from "go" to the last completion, divided by the jobs): on a machine where the two share
 * the cores, a drain can go no faster than their sum allows.
 */
export async function runDrain(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const rounds = new Rounds();
  for (let round = 0; round < config.rounds; round++) {
    for (const processes of [1, 2]) {
      for (const system of rotated(SYSTEMS, round + processes)) {
        const db = await ctx.freshDb(system, `drain_${processes}_${round}`);
        await system.bulkEnqueue(db.url, config.drainJobs);
        await server.analyze(db.name);
        await server.checkpoint();
        const r = await drain(system, db.url, config.drainJobs, processes, server.cpuSeconds);
        rounds.push(processes === 1 ? DRAIN_1 : DRAIN_2, system.name, r.jobsPerSec);
        const perJob = (s: number) => (s * 1e6) / config.drainJobs;
        if (processes === 1) {
          rounds.push(DRAIN_1_WORKER_CPU, system.name, perJob(r.workerCpuSeconds));
          if (r.serverCpuSeconds !== null) rounds.push(DRAIN_1_SERVER_CPU, system.name, perJob(r.serverCpuSeconds));
        }
        const serverNote = r.serverCpuSeconds === null ? '' : `, server ${perJob(r.serverCpuSeconds).toFixed(1)}`;
        log(
          `drain ${system.name} ×${processes}: ${Math.round(r.jobsPerSec)} jobs/s (${r.perProcess.join(' + ')}); ` +
            `CPU µs/job: workers ${perJob(r.workerCpuSeconds).toFixed(1)}${serverNote}`,
        );
        await server.dropDatabase(db.name);
      }
    }
    // The same drain with a concurrency cap and a rate on the queue that never bind: what taking turns
    // on the limit rows, counting running jobs and spending tokens costs each claim.
    const db = await ctx.freshDb(steady, `drain_limited_${round}`);
    await steady.bulkEnqueue(db.url, config.drainJobs);
    const raw = postgres(db.url, { max: 1, onnotice: () => {} });
    await raw.unsafe(`insert into limits (key, concurrency, rate, period_ms, burst, tokens) values
      ('queue:default', 100000, 1000000, 1000, 1000000, 1000000)`);
    await raw.end();
    await server.analyze(db.name);
    await server.checkpoint();
    const r = await drain(steady, db.url, config.drainJobs, 1, server.cpuSeconds);
    rounds.push(DRAIN_LIMITED, steady.name, r.jobsPerSec);
    log(`drain ${steady.name} ×1, limits not binding: ${Math.round(r.jobsPerSec)} jobs/s`);
    await server.dropDatabase(db.name);
  }
  const rate: About = {
    unit: 'jobs/s',
    better: 'higher',
    note: `${config.drainJobs.toLocaleString('en')} no-op jobs, first claim to last completion`,
  };
  const cpu: About = { unit: 'µs/job', better: 'lower', note: 'user + system' };
  rounds.addTo(results, {
    [DRAIN_1]: rate,
    [DRAIN_2]: rate,
    [DRAIN_1_WORKER_CPU]: cpu,
    [DRAIN_1_SERVER_CPU]: cpu,
    [DRAIN_LIMITED]: rate,
  });
}
