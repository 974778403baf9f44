import { rotated, SYSTEMS } from '../systems';
import { drain } from '../lib/drain';
import { summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const DRAIN_1 = 'drain, 1 process';
export const DRAIN_2 = 'drain, 2 processes';
export const DRAIN_1_WORKER_CPU = 'drain, 1 process: worker CPU';
export const DRAIN_1_SERVER_CPU = 'drain, 1 process: server CPU';

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
  const rates = samples();
  const cpu = samples();
  for (let round = 0; round < config.rounds; round++) {
    for (const processes of [1, 2]) {
      for (const system of rotated(SYSTEMS, round + processes)) {
        const db = await ctx.freshDb(system, `drain_${processes}_${round}`);
        await system.bulkEnqueue(db.url, config.drainJobs);
        await server.analyze(db.name);
        await server.checkpoint();
        const r = await drain(system, db.url, config.drainJobs, processes, server.cpuSeconds);
        rates.push(`${processes}:${system.name}`, r.jobsPerSec);
        const perJob = (s: number) => (s * 1e6) / config.drainJobs;
        if (processes === 1) {
          cpu.push(`worker:${system.name}`, perJob(r.workerCpuSeconds));
          if (r.serverCpuSeconds !== null) cpu.push(`server:${system.name}`, perJob(r.serverCpuSeconds));
        }
        const serverNote = r.serverCpuSeconds === null ? '' : `, server ${perJob(r.serverCpuSeconds).toFixed(1)}`;
        log(`drain ${system.name} ×${processes}: ${Math.round(r.jobsPerSec)} jobs/s (${r.perProcess.join(' + ')}); ` +
          `CPU µs/job: workers ${perJob(r.workerCpuSeconds).toFixed(1)}${serverNote}`);
        await server.dropDatabase(db.name);
      }
    }
  }
  for (const [key, values] of rates.all) {
    const [processes, label] = key.split(':');
    results.add({
      scenario: processes === '1' ? DRAIN_1 : DRAIN_2,
      label,
      unit: 'jobs/s',
      better: 'higher',
      summary: summarise(values),
      note: `${config.drainJobs.toLocaleString('en')} no-op jobs, first claim to last completion`,
    });
  }
  for (const [key, values] of cpu.all) {
    const [side, label] = key.split(':');
    results.add({
      scenario: side === 'worker' ? DRAIN_1_WORKER_CPU : DRAIN_1_SERVER_CPU,
      label,
      unit: 'µs/job',
      better: 'lower',
      summary: summarise(values),
      note: 'user + system',
    });
  }
}

function samples() {
  const all = new Map<string, number[]>();
  return { all, push: (k: string, v: number) => all.set(k, [...(all.get(k) ?? []), v]) };
}
