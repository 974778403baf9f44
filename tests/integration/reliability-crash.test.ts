/**
 * Worker processes killed with SIGKILL mid-batch, again and again, over a 3,000-job run; and workers
 * frozen mid-job (SIGSTOP) until their lease has been rescued, then let go. Every job must end completed
 * exactly once; a job may run again only after its previous attempt's lease ran out; a frozen worker's
 * late completion must be refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { configureQueue, defineJobType, enqueueJobs, runBatch } from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { crashJobTypes, readRuns, type RunRecord } from '../helpers/crash-job-types';
import { spawnCrashWorker, type CrashWorker } from '../helpers/app-server';

const JOBS = 3_000;
const LEASE_MS = 2_000;
const WORKERS = 3;
const MID_BATCH_KILLS = 12;
const STALL_AT = new Set([700, 1_900]);
const RUN_DEADLINE_MS = 150_000;

let t: TestDb;
let dir: string;
const workers = new Set<CrashWorker>();

beforeAll(async () => {
  t = await createTestDb({ max: 4 });
  dir = mkdtempSync(path.join(tmpdir(), 'steady-crash-'));
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const one = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) => (await t.db.execute<T>(q))[0];

describe('worker crashes', () => {
  it('a batch never starts a job whose lease ran out while it waited its turn', async () => {
    // Time is passed in: each handler moves the batch's clock on by 800 ms, and the lease is 2 s, so
    // from the fourth job on a claimed job's lease has ended before a lane gets to it. Another
    // worker may already have rescued and started it: running it here as well would run it twice.
    let now = Date.parse('2026-03-01T00:00:00Z');
    const starts: { n: number; at: number; lockedUntil: number }[] = [];
    const types = {
      'rel.slow': defineJobType({
        queue: 'rel-slow',
        payloadSchema: z.object({ n: z.number() }),
        handle: async ({ job, payload }) => {
          starts.push({ n: payload.n, at: now, lockedUntil: job.lockedUntil!.getTime() });
          now += 800;
          return null;
        },
      }),
    };
    await enqueueJobs(
      t.db,
      types,
      Array.from({ length: 6 }, (_, n) => ({ type: 'rel.slow', payload: { n } })),
      { now: new Date(now) },
    );
    await runBatch(t.db, types, {
      limit: 6,
      concurrency: 1,
      leaseMs: 2_000,
      timeBudgetMs: 60_000,
      clock: () => new Date(now),
    });
    const [left] = await t.db.execute(sql`
      select count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status in ('pending', 'processing'))::int as waiting
      from jobs where type = 'rel.slow'`);
    await t.db.execute(sql`delete from job_events where job_id in (select id from jobs where type = 'rel.slow')`);
    await t.db.execute(sql`delete from jobs where type = 'rel.slow'`);
    expect(
      starts
        .filter((s) => s.at >= s.lockedUntil)
        .map((s) => `job ${s.n} started ${s.at - s.lockedUntil} ms after its lease ended`),
    ).toEqual([]);
    // Whatever was not started is not lost: it is back in the queue or will be after its lease.
    expect(Number(left.completed) + Number(left.waiting)).toBe(6);
  });

  it(
    'SIGKILL mid-batch ≥10 times over 3,000 jobs: all complete once, re-runs only after lease expiry, late completions refused',
    async () => {
      const runsFile = path.join(dir, 'runs.jsonl');
      writeFileSync(runsFile, '');
      const now = new Date();
      // Small backoff so a job that fails (it should not) does not outlast the test; attempts for many kills.
      await configureQueue(t.db, 'rel', { defaultMaxAttempts: 10, backoff: { baseMs: 50, maxMs: 200 } }, { now });
      const types = crashJobTypes({ runsFile, workerId: 'enqueue', handlerMs: 0 });
      await enqueueJobs(
        t.db,
        types,
        Array.from({ length: JOBS }, (_, n) => ({
          type: 'rel.work',
          payload: STALL_AT.has(n) ? { n, stall: true } : { n },
        })),
        { now },
      );

      const spawn = () => {
        const w = spawnCrashWorker({
          databaseUrl: t.url,
          runsFile,
          leaseMs: LEASE_MS,
          handlerMs: 40,
          batchLimit: 8,
          concurrency: 4,
        });
        workers.add(w);
        return w;
      };
      for (let i = 0; i < WORKERS; i++) spawn();

      let offset = 0;
      const startsByPid = new Map<number, number>();
      const stalled = new Map<number, RunRecord>();
      let kills = 0;
      let midBatchKills = 0;
      let lastKill = 0;
      let resumed = 0;
      const killedPids = new Set<number>();
      const resumedPids = new Set<number>();
      const started = Date.now();

      while (true) {
        const text = readFileSync(runsFile, 'utf8');
        const cut = text.lastIndexOf('\n') + 1;
        for (const r of readRuns(text.slice(offset, cut))) {
          if (r.e === 'start') startsByPid.set(r.pid, (startsByPid.get(r.pid) ?? 0) + 1);
          if (r.e === 'stall') stalled.set(r.pid, r);
        }
        offset = cut;

        // Let a frozen worker go only once its job's lease has been rescued, so its completion arrives late.
        for (const [pid, r] of stalled) {
          const rescued = await one<{ n: number }>(sql`
          select count(*)::int as n from job_events
          where job_id = ${r.id} and from_status = 'processing' and to_status = 'pending' and attempt = ${r.attempt}`);
          if (rescued.n > 0) {
            const w = [...workers].find((x) => x.pid === pid);
            if (w) {
              w.kill('SIGCONT');
              resumed++;
              resumedPids.add(pid);
            }
            stalled.delete(pid);
          }
        }

        const left = await one<{ n: number }>(sql`select count(*)::int as n from jobs where status <> 'completed'`);
        if (left.n === 0) break;
        expect(Date.now() - started, `run did not finish; ${left.n} jobs left`).toBeLessThan(RUN_DEADLINE_MS);

        const victim = [...workers].find(
          (w) => !stalled.has(w.pid) && !w.isFrozen() && (startsByPid.get(w.pid) ?? 0) >= 3,
        );
        if (midBatchKills < MID_BATCH_KILLS && victim && Date.now() - lastKill > 300) {
          victim.kill('SIGKILL');
          killedPids.add(victim.pid);
          await victim.exited;
          workers.delete(victim);
          kills++;
          lastKill = Date.now();
          // Its claims are frozen now: any row still locked by it was taken mid-batch.
          const workerId = readRuns(readFileSync(runsFile, 'utf8')).find((r) => r.pid === victim.pid)?.worker;
          const held = await one<{ n: number }>(sql`
          select count(*)::int as n from jobs where status = 'processing' and locked_by = ${workerId ?? ''}`);
          if (held.n > 0) midBatchKills++;
          spawn();
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      // A worker let go just before the end still has to try its late completion before it is stopped.
      const lateDeadline = Date.now() + 15_000;
      while (Date.now() < lateDeadline) {
        const reported = new Set(
          readRuns(readFileSync(runsFile, 'utf8'))
            .filter((r) => r.e === 'lost')
            .map((r) => r.pid),
        );
        if ([...resumedPids].every((pid) => reported.has(pid))) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const w of workers) w.kill('SIGKILL');
      await Promise.all([...workers].map((w) => w.exited));
      workers.clear();

      // Every job completed, with exactly one completion written, by the attempt that holds it now.
      const counts = await one<{ completed: number; total: number; processing: number }>(sql`
      select count(*) filter (where status = 'completed')::int as completed, count(*)::int as total,
             count(*) filter (where status = 'processing')::int as processing from jobs`);
      expect(counts).toEqual({ completed: JOBS, total: JOBS, processing: 0 });
      const badFinals = await one<{ n: number }>(sql`
      select count(*)::int as n from jobs j
      where (select count(*) from job_events e where e.job_id = j.id and e.to_status = 'completed') <> 1
         or not exists (select 1 from job_events e where e.job_id = j.id and e.to_status = 'completed'
                        and e.attempt = j.attempts)
         or (j.result->>'n')::int <> (j.payload->>'n')::int`);
      expect(badFinals.n).toBe(0);

      const runs = readRuns(readFileSync(runsFile, 'utf8'));
      const starts = new Map<string, RunRecord[]>();
      for (const r of runs.filter((r) => r.e === 'start')) starts.set(r.id, [...(starts.get(r.id) ?? []), r]);
      expect(starts.size).toBe(JOBS);

      // A second start of the same job only after the first attempt's lease ended and the rescuer took it back.
      const rescues = await t.db.execute(sql`
      select job_id::text as id, attempt, extract(epoch from at) * 1000 as at from job_events
      where from_status = 'processing' and to_status = 'pending' and message like 'Lease expired%'`);
      const rescueAt = new Map(rescues.map((r) => [`${r.id}:${r.attempt}`, Number(r.at)]));
      let reRuns = 0;
      for (const list of starts.values()) {
        list.sort((a, b) => a.attempt - b.attempt);
        for (let i = 1; i < list.length; i++) {
          const [prev, next] = [list[i - 1], list[i]];
          reRuns++;
          expect(next.attempt).toBeGreaterThan(prev.attempt);
          expect(next.at).toBeGreaterThanOrEqual(prev.lockedUntil);
          const rescuedAt = rescueAt.get(`${prev.id}:${prev.attempt}`);
          expect(rescuedAt, `attempt ${prev.attempt} of job ${prev.id} re-ran without a lease rescue`).toBeDefined();
          expect(rescuedAt!).toBeGreaterThanOrEqual(prev.lockedUntil);
        }
      }

      // The frozen workers' completions came after their leases were rescued: every one was refused.
      const late = runs.filter((r) => r.e === 'lost');
      // A worker killed in the instant it froze itself never completes late; the rest must have been let go.
      const stalls = runs.filter((r) => r.e === 'stall' && !killedPids.has(r.pid));
      expect(stalls.length).toBeGreaterThanOrEqual(1);
      expect(resumed).toBe(stalls.length);
      expect(late.length).toBeGreaterThanOrEqual(stalls.length);
      for (const r of late) {
        const final = await one<{ worker: string; attempt: number }>(sql`
        select worker, attempt from job_events where job_id = ${r.id} and to_status = 'completed'`);
        expect(final.attempt).not.toBe(r.attempt);
      }

      expect(midBatchKills).toBeGreaterThanOrEqual(10);
      console.log(
        `[reliability-crash] ${JOBS} jobs: ${kills} SIGKILLs (${midBatchKills} mid-batch), ${rescues.length} lease rescues, ` +
          `${reRuns} handler re-runs after lease expiry, ${stalls.length} frozen workers, ${late.length} late completions refused, ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      // No handler starts once its own lease has ended: by then the job may be someone else's. (Last, so
      // the guarantees above are still checked when this one fails.)
      const lateStarts = runs.filter((r) => r.e === 'start' && r.at >= r.lockedUntil);
      expect(
        lateStarts.map(
          (r) => `job ${r.n} attempt ${r.attempt} started ${r.at - r.lockedUntil} ms after its lease ended`,
        ),
      ).toEqual([]);
    },
    RUN_DEADLINE_MS + 30_000,
  );
});
