/**
 * Drain calls: how many process-queue calls work at once (exactly PROCESS_QUEUE_MAX_PARALLEL across
 * every connection), how a call works the backlog to its end or its budget, and when it starts more
 * calls or hands on to a successor. The fan-out here admits and runs a call in this process, as the
 * route does after its 202.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  coolDown,
  countDrainCalls,
  enterDrainCall,
  leaveDrainCall,
  setLimit,
  setQueuePaused,
  type JobTypes,
} from '@/lib/queue';
import { admitDrainCall, runDrainCall, type DrainCallOptions, type DrainCallResult } from '@/lib/drain-call';
import { LISTED_JOBS } from '@/lib/process-queue';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { seedJobs, testTypes } from '../helpers/factories';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ max: 20 });
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.db.execute(
    sql`delete from jobs; delete from job_events; delete from drain_calls; delete from limits; update queues set paused = false`,
  );
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('admission', () => {
  it('16 connections entering at once never put more than the cap at work, round after round', async () => {
    const pools = Array.from({ length: 16 }, () => t.connect(1));
    try {
      for (const cap of [1, 3, 5]) {
        for (let round = 0; round < 8; round++) {
          const now = new Date();
          const admitted = await Promise.all(
            pools.map((p, i) =>
              enterDrainCall(p.db, { callId: `c${cap}-${round}-${i}`, maxParallel: cap, holdMs: 60_000, now }),
            ),
          );
          expect(admitted.filter((a) => a.entered)).toHaveLength(cap);
          expect(await countDrainCalls(t.db, { now })).toBe(cap);
          await t.db.execute(sql`delete from drain_calls`);
        }
      }
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('a call that never left frees its place once its hold has passed; one that left frees it at once', async () => {
    const at = new Date('2026-06-01T12:00:00Z');
    const later = (ms: number) => new Date(at.getTime() + ms);
    expect(await enterDrainCall(t.db, { callId: 'killed', maxParallel: 1, holdMs: 60_000, now: at })).toEqual({
      entered: true,
      running: 1,
    });
    expect(await enterDrainCall(t.db, { callId: 'next', maxParallel: 1, holdMs: 60_000, now: later(59_999) })).toEqual({
      entered: false,
      running: 1,
    });
    expect(await enterDrainCall(t.db, { callId: 'next', maxParallel: 1, holdMs: 60_000, now: later(60_000) })).toEqual({
      entered: true,
      running: 1,
    });
    await leaveDrainCall(t.db, { callId: 'next' });
    expect(
      await enterDrainCall(t.db, { callId: 'third', maxParallel: 1, holdMs: 60_000, now: later(60_001) }),
    ).toMatchObject({ entered: true });
  });
});

/** A fan-out that admits and runs one more call here, recording the most calls at work at once. */
function localFanOut(types: JobTypes, maxParallel: number, opts: Partial<DrainCallOptions> = {}) {
  const calls: Promise<DrainCallResult | null>[] = [];
  let peak = 0;
  let accepted = 0;
  const fanOut = async (): Promise<boolean> => {
    const call = await admitDrainCall(t.db, { maxParallel, holdMs: 60_000 });
    if (!call.entered) return false;
    accepted++;
    peak = Math.max(peak, call.running);
    calls.push(runDrainCall(t.db, call, { timeBudgetMs: 5_000, types, ...opts, fanOut }));
    return true;
  };
  return {
    fanOut,
    get accepted() {
      return accepted;
    },
    get peak() {
      return peak;
    },
    // Calls can start more calls while they finish: wait until none is left unsettled.
    async settled() {
      for (let seen = 0; seen < calls.length;) {
        const n = calls.length;
        await Promise.all(calls.slice(seen, n));
        seen = n;
      }
    },
  };
}

describe('a drain call', () => {
  it('works the whole backlog with no cap, and lists a bounded number of its jobs', async () => {
    const types = testTypes();
    await seedJobs(t.db, types, 2_000);
    const call = await admitDrainCall(t.db, { maxParallel: 2, holdMs: 60_000 });
    if (!call.entered) throw new Error('not admitted');
    const r = await runDrainCall(t.db, call, { timeBudgetMs: 30_000, types });
    expect(r).toMatchObject({
      claimed: 2_000,
      stoppedBy: 'empty',
      counts: { completed: 2_000 },
      byType: { 'test.noop': { completed: 2_000 } },
    });
    expect(r.jobs).toHaveLength(LISTED_JOBS);
    expect(r.jobsNotListed).toBe(2_000 - LISTED_JOBS);
    expect(r).toMatchObject({ fannedOut: 0, handedOn: false, running: 0 });
    expect(await countDrainCalls(t.db, { now: new Date() })).toBe(0);
  });

  it('stops at its budget with slow handlers, and hands back what it had not started', async () => {
    const types = testTypes({ run: () => sleep(10_000) });
    await seedJobs(t.db, types, 30);
    const call = await admitDrainCall(t.db, { maxParallel: 2, holdMs: 60_000 });
    if (!call.entered) throw new Error('not admitted');
    const started = Date.now();
    const r = await runDrainCall(t.db, call, { timeBudgetMs: 1_500, types });
    expect(Date.now() - started).toBeLessThan(1_500 + 1_000);
    expect(r.stoppedBy).toBe('budget');
    const [left] = await t.db.execute(sql`select count(*) filter (where status = 'processing')::int as running,
      count(*) filter (where status = 'pending')::int as pending from jobs`);
    expect(left).toEqual({ running: 0, pending: 30 });
  });

  it('fans out while the backlog outlasts the calls at work, never past the cap, and the chain ends with the backlog', async () => {
    const runs = new Map<number, number>();
    const types = testTypes({
      run: async ({ n }) => {
        runs.set(n, (runs.get(n) ?? 0) + 1);
        await sleep(150);
      },
    });
    await seedJobs(t.db, types, 500);
    const fan = localFanOut(types, 3, { timeBudgetMs: 6_000 });
    const call = await admitDrainCall(t.db, { maxParallel: 3, holdMs: 60_000 });
    if (!call.entered) throw new Error('not admitted');
    const first = await runDrainCall(t.db, call, { timeBudgetMs: 6_000, types, fanOut: fan.fanOut });
    await fan.settled();
    expect(first.fannedOut).toBeGreaterThan(0);
    expect(fan.peak).toBeLessThanOrEqual(3);
    expect(fan.peak).toBe(3);
    const [rows] = await t.db.execute(sql`select count(*) filter (where status = 'completed')::int as done from jobs`);
    expect(rows.done).toBe(500);
    // Each ran once: a job a call claimed but had no time to start was handed back unspent, not run twice.
    expect(runs.size).toBe(500);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(await countDrainCalls(t.db, { now: new Date() })).toBe(0);
  });

  it('hands on to a successor when its budget ends with jobs due, and the successor finishes them', async () => {
    const types = testTypes({ run: () => sleep(100) });
    await seedJobs(t.db, types, 60);
    const fan = localFanOut(types, 1, { timeBudgetMs: 20_000 });
    const call = await admitDrainCall(t.db, { maxParallel: 1, holdMs: 60_000 });
    if (!call.entered) throw new Error('not admitted');
    const first = await runDrainCall(t.db, call, { timeBudgetMs: 1_000, types, fanOut: fan.fanOut, concurrency: 1 });
    await fan.settled();
    expect(first).toMatchObject({ stoppedBy: 'budget', handedOn: true, fannedOut: 0 });
    const [rows] = await t.db.execute(sql`select count(*) filter (where status = 'completed')::int as done from jobs`);
    expect(rows.done).toBe(60);
  });

  it('starts nothing when the backlog is empty, or when the only jobs due cannot be claimed', async () => {
    const types = testTypes();
    const fan = localFanOut(types, 4);
    for (const setup of [
      async () => {},
      // A paused queue: its jobs wait, and no call is started for them.
      async () => {
        await seedJobs(t.db, types, 50);
        await setQueuePaused(t.db, { name: 'test', paused: true, now: new Date() });
      },
      // Jobs not yet due.
      async () => {
        await setQueuePaused(t.db, { name: 'test', paused: false, now: new Date() });
        await t.db.execute(sql`update jobs set run_at = now() + interval '1 hour'`);
      },
    ]) {
      await setup();
      const call = await admitDrainCall(t.db, { maxParallel: 4, holdMs: 60_000 });
      if (!call.entered) throw new Error('not admitted');
      const r = await runDrainCall(t.db, call, { timeBudgetMs: 5_000, types, fanOut: fan.fanOut });
      expect(r).toMatchObject({ claimed: 0, stoppedBy: 'empty', fannedOut: 0, handedOn: false });
    }
    expect(fan.accepted).toBe(0);
  });

  it('says when limits hold every job left, and starts nothing for them', async () => {
    const types = testTypes();
    await seedJobs(t.db, types, 20);
    const fan = localFanOut(types, 4);
    const run = async () => {
      const call = await admitDrainCall(t.db, { maxParallel: 4, holdMs: 60_000 });
      if (!call.entered) throw new Error('not admitted');
      return runDrainCall(t.db, call, { timeBudgetMs: 5_000, types, fanOut: fan.fanOut });
    };
    await setLimit(t.db, 'queue:test', { concurrency: 0 }, { actor: 'test', now: new Date() });
    expect(await run()).toMatchObject({
      claimed: 0,
      stoppedBy: 'limit',
      limitOpensAt: null,
      fannedOut: 0,
      handedOn: false,
    });
    await setLimit(t.db, 'queue:test', { concurrency: null }, { actor: 'test', now: new Date() });
    const until = new Date(Date.now() + 60_000);
    await coolDown(t.db, { key: 'queue:test', until, cause: 'test', now: new Date(), actor: 'test' });
    expect(await run()).toMatchObject({ claimed: 0, stoppedBy: 'limit', limitOpensAt: until.toISOString() });
    expect(fan.accepted).toBe(0);
  });

  it('an explicit limit is a cap: the call stops there and hands on to nobody', async () => {
    const types = testTypes();
    await seedJobs(t.db, types, 50);
    const fan = localFanOut(types, 4);
    const call = await admitDrainCall(t.db, { maxParallel: 4, holdMs: 60_000 });
    if (!call.entered) throw new Error('not admitted');
    const r = await runDrainCall(t.db, call, { limit: 7, timeBudgetMs: 5_000, types, fanOut: fan.fanOut });
    expect(r).toMatchObject({ claimed: 7, stoppedBy: 'cap', handedOn: false });
    expect(fan.accepted).toBe(0);
  });
});
