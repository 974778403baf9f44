/**
 * Flow control, enforced in the claim across every connection: a concurrency cap never exceeded even by
 * one under 16 claimers, a token-bucket rate held over 30 s of (virtual) time by 8 claimers, a key at
 * its limit passed over while others flow, slots back on completion and on lease rescue, and limits
 * edited at run time taking effect on the next claim.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  claimJobs,
  completeJobs,
  coolDown,
  defineJobType,
  enqueueJobs,
  getQueueStats,
  listJobs,
  listLimits,
  rescueAndClaimJobs,
  setLimit,
  setQueuePaused,
  type Db,
  type JobTypes,
} from '@/lib/queue';
import { once } from 'node:events';
import path from 'node:path';
import { spawnServerScript } from '@/scripts/lib/server-script';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ max: 20 });
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.db.execute(
    sql`delete from jobs; delete from job_events; delete from limits; delete from limit_events; update queues set paused = false`,
  );
});

const types: JobTypes = {
  'lim.task': defineJobType({
    queue: 'lim',
    payloadSchema: z.object({ key: z.string().nullable(), n: z.number().int() }),
    limitKey: (p) => p.key,
    handle: async () => null,
  }),
};
const at = (ms: number) => new Date(Date.parse('2026-06-01T12:00:00Z') + ms);
const enqueue = (key: string | null, n: number, now = at(0)) =>
  enqueueJobs(
    t.db,
    types,
    Array.from({ length: n }, (_, i) => ({ type: 'lim.task', payload: { key, n: i } })),
    { now },
  );
const claim = (db: Db, now: Date, limit = 10, workerId = 'w') =>
  claimJobs(db, { workerId, limit, leaseMs: 60_000, now });
const done = (
  db: Db,
  jobs: { id: string; attempts: number; lockedBy: string | null; startedAt: Date | null }[],
  now: Date,
) =>
  completeJobs(db, {
    workerId: jobs[0].lockedBy!,
    now,
    items: jobs.map((j) => ({ id: j.id, attempt: j.attempts, startedAt: j.startedAt, result: null })),
  });
const actor = { actor: 'test', now: at(0) };

describe('concurrency', () => {
  it('16 claimers at once never put more than 3 jobs of a key to work, and keep it at 3', async () => {
    await setLimit(t.db, 'api', { concurrency: 3 }, actor);
    await enqueue('api', 120);
    const pools = Array.from({ length: 16 }, () => t.connect(1));
    let running = 0;
    let peak = 0;
    const samples: number[] = [];
    try {
      await Promise.all(
        pools.map(async (p, w) => {
          for (let idle = 0; idle < 40;) {
            const jobs = await claim(p.db, at(1_000), 2, `w${w}`);
            if (jobs.length === 0) {
              idle++;
              await new Promise((r) => setTimeout(r, 5));
              continue;
            }
            idle = 0;
            running += jobs.length;
            peak = Math.max(peak, running);
            samples.push(running);
            await new Promise((r) => setTimeout(r, 10));
            running -= jobs.length;
            await done(p.db, jobs, at(1_000));
          }
        }),
      );
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBe(3);
    const [r] = await t.db.execute(
      sql`select count(*) filter (where status = 'completed')::int as completed from jobs`,
    );
    expect(r.completed).toBe(120);
  });

  it('a key at its limit is passed over while other keys and unkeyed jobs flow, however large its backlog', async () => {
    await setLimit(t.db, 'busy', { concurrency: 0 }, actor);
    await enqueue('busy', 5_000);
    await enqueue('other', 3, at(1));
    await enqueue(null, 2, at(2));
    const jobs = await claim(t.db, at(10_000), 50);
    expect(jobs.map((j) => j.limitKey).sort()).toEqual([null, null, 'other', 'other', 'other']);
  });

  it('gives the slot back on completion, and a crashed holder’s when its lease is rescued', async () => {
    await setLimit(t.db, 'one', { concurrency: 1 }, actor);
    await enqueue('one', 3);
    const [first] = await claimJobs(t.db, { workerId: 'dies', limit: 5, leaseMs: 1_000, now: at(0) });
    expect(first).toBeDefined();
    expect(await claim(t.db, at(500), 5)).toEqual([]);
    // The holder never answers; once its lease has passed the rescue puts it back and the slot is free.
    const rescued = await rescueAndClaimJobs(t.db, { workerId: 'w2', limit: 5, leaseMs: 60_000, now: at(2_000) });
    expect(rescued.rescued).toBe(1);
    const [next] = rescued.jobs.length ? rescued.jobs : await claim(t.db, at(2_001), 5, 'w2');
    expect(next).toBeDefined();
    expect(await claim(t.db, at(2_002), 5)).toEqual([]);
    await done(t.db, [next], at(2_003));
    expect(await claim(t.db, at(2_004), 5)).toHaveLength(1);
  });

  it('a limit edited while work runs takes effect on the next claim', async () => {
    await setLimit(t.db, 'edit', { concurrency: 1 }, actor);
    await enqueue('edit', 10);
    expect(await claim(t.db, at(0), 10)).toHaveLength(1);
    expect(await claim(t.db, at(1), 10)).toHaveLength(0);
    await setLimit(t.db, 'edit', { concurrency: 4 }, { actor: 'operator', now: at(2) });
    expect(await claim(t.db, at(3), 10)).toHaveLength(3);
    await setLimit(t.db, 'edit', { concurrency: 0 }, { actor: 'operator', now: at(4) });
    await t.db.execute(
      sql`update jobs set status = 'pending', locked_by = null, locked_until = null where status = 'processing'`,
    );
    expect(await claim(t.db, at(5), 10)).toHaveLength(0);
    const [limit] = await listLimits(t.db, { now: at(6) });
    expect(limit).toMatchObject({ key: 'edit', concurrency: 0, running: 0, waiting: 10, updatedBy: 'operator' });
    const [history] = await t.db.execute(sql`select count(*)::int as n from limit_events where key = 'edit'`);
    expect(history.n).toBe(3);
  });

  it('a queue limit (queue:<name>) caps every job of the queue, keyed or not', async () => {
    await setLimit(t.db, 'queue:lim', { concurrency: 2 }, actor);
    await enqueue('a', 3);
    await enqueue(null, 3);
    expect(await claim(t.db, at(0), 10)).toHaveLength(2);
    expect(await claim(t.db, at(1), 10)).toHaveLength(0);
  });

  it('a prefix ending in ":" caps every key below it together', async () => {
    await setLimit(t.db, 'gh:', { concurrency: 2 }, actor);
    await enqueue('gh:alice', 3);
    await enqueue('gh:bob', 3);
    await enqueue('yt:carol', 3);
    const jobs = await claim(t.db, at(0), 10);
    expect(jobs.filter((j) => j.limitKey?.startsWith('gh:'))).toHaveLength(2);
    expect(jobs.filter((j) => j.limitKey === 'yt:carol')).toHaveLength(3);
  });
});

describe('rate', () => {
  it('10 starts a second holds over 30 s of claims from 8 connections', async () => {
    await setLimit(t.db, 'paced', { rate: 10, periodMs: 1_000, burst: 1 }, actor);
    await enqueue('paced', 400);
    const pools = Array.from({ length: 8 }, () => t.connect(1));
    const started: number[] = [];
    try {
      // A shared virtual clock, 100 ms a step: every connection claims at each step, all at once.
      for (let step = 0; step <= 300; step++) {
        const now = at(step * 100);
        const got = await Promise.all(pools.map((p, w) => claim(p.db, now, 5, `w${w}`)));
        for (const jobs of got) for (const _ of jobs) started.push(step);
      }
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    // 30 s at 10 a second, plus the one token the bucket starts with.
    expect(started.length).toBeGreaterThanOrEqual(285);
    expect(started.length).toBeLessThanOrEqual(315);
    // Spaced out: no second of the run started more than 10 (+ the initial token).
    const perSecond = new Map<number, number>();
    for (const s of started) perSecond.set(Math.floor(s / 10), (perSecond.get(Math.floor(s / 10)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(11);
  });
});

describe('cool-down', () => {
  it('no job of a cooling key is claimed before the cool-down ends; others flow; then it resumes in order', async () => {
    await enqueue('cool', 5);
    await enqueue('warm', 2, at(1));
    await coolDown(t.db, {
      key: 'cool',
      until: at(600_000),
      cause: '429 from the provider',
      now: at(10),
      actor: 'test',
    });
    const during = await claim(t.db, at(20), 10);
    expect(during.map((j) => j.limitKey)).toEqual(['warm', 'warm']);
    expect(await claim(t.db, at(599_999), 10)).toEqual([]);
    const after = await claim(t.db, at(600_000), 10);
    expect(after.map((j) => j.limitKey)).toEqual(['cool', 'cool', 'cool', 'cool', 'cool']);
    expect(after.map((j) => (j.payload as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a later cool-down wins, an earlier one changes nothing', async () => {
    await coolDown(t.db, { key: 'k', until: at(60_000), cause: 'first', now: at(0), actor: 'test' });
    await coolDown(t.db, { key: 'k', until: at(30_000), cause: 'earlier', now: at(1), actor: 'test' });
    expect((await listLimits(t.db, { now: at(2) }))[0]).toMatchObject({
      cooldownUntil: at(60_000),
      cooldownCause: 'first',
    });
  });
});

describe('statistics', () => {
  it('the oldest pending job is found among keyed jobs too', async () => {
    await enqueue(null, 2, at(60_000));
    await enqueue('old', 1, at(0));
    await enqueue('newer', 1, at(30_000));
    const stats = await getQueueStats(t.db, { now: at(120_000) });
    expect(stats.oldestPendingAgeMs).toBe(120_000);
  });
});

describe('limits and paused queues together', () => {
  it('a paused queue stays paused whatever its limits allow', async () => {
    await setLimit(t.db, 'p', { concurrency: 5 }, actor);
    await enqueue('p', 2);
    await setQueuePaused(t.db, { name: 'lim', paused: true, now: at(0) });
    expect(await claim(t.db, at(1), 10)).toEqual([]);
  });
});

describe('bad settings', () => {
  it.each([
    [{ concurrency: -1 }, 'concurrency'],
    [{ concurrency: 1.5 }, 'concurrency'],
    [{ concurrency: 100_001 }, 'concurrency'],
    [{ rate: -2 }, 'rate'],
    [{ rate: 5, periodMs: 10 }, 'periodMs'],
    [{ rate: 5, burst: 0 }, 'burst'],
  ])('%j is refused naming %s, and nothing is written', async (settings, field) => {
    await expect(setLimit(t.db, 'bad', settings, actor)).rejects.toThrow(field);
    expect(await listLimits(t.db, { now: at(0) })).toEqual([]);
  });

  it('a key with spaces, or "queue:" alone, is refused', async () => {
    await expect(setLimit(t.db, 'has space', { concurrency: 1 }, actor)).rejects.toThrow('key');
    await expect(setLimit(t.db, 'queue:', { concurrency: 1 }, actor)).rejects.toThrow('queue');
  });
});

describe('finding the jobs a limit holds', () => {
  it('lists the due pending jobs under a closed limit, and none once it opens', async () => {
    await enqueue('api', 3);
    await enqueue('free', 2);
    await enqueue('api', 1, at(120_000)); // not yet due: not waiting on the limit
    await coolDown(t.db, { key: 'api', until: at(60_000), cause: '429', actor: 'test', now: at(0) });
    const held = await listJobs(t.db, { statuses: ['pending'], waitingOnLimitAt: at(1_000) });
    expect(held.items).toHaveLength(3);
    expect(held.items.every((j) => j.limitKey === 'api')).toBe(true);
    expect((await listJobs(t.db, { statuses: ['failed'], waitingOnLimitAt: at(1_000) })).items).toHaveLength(0);
    expect((await listJobs(t.db, { waitingOnLimitAt: at(61_000) })).items).toHaveLength(0);

    // A full concurrency cap holds the rest of its key too.
    await setLimit(t.db, 'free', { concurrency: 1 }, actor);
    await claim(t.db, at(61_000), 10);
    const full = await listJobs(t.db, { waitingOnLimitAt: at(61_000) });
    expect(full.items.map((j) => j.limitKey)).toEqual(['free']);
  });
});

describe('a worker killed mid-job', () => {
  it('holds its slot until its lease is rescued, then gives it back: none leaks', async () => {
    await setLimit(t.db, 'api', { concurrency: 1 }, actor);
    await enqueue('api', 3);
    const holder = spawnServerScript(path.resolve(import.meta.dirname, '../helpers/limit-holder.ts'), {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, DATABASE_URL: t.url, LEASE_MS: '5000', NOW: at(1_000).toISOString() },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(holder.stdout!, 'data')) as [Buffer];
    const held = line.toString().trim();
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    expect(held).toMatch(/^[0-9a-f-]{36}$/);

    // Its lease runs until 6 s: the slot is still taken, so nothing else of the key starts.
    expect(await claim(t.db, at(2_000), 5)).toHaveLength(0);
    // After it, the rescue puts the job back and the one slot goes to a live worker.
    const rescued = await rescueAndClaimJobs(t.db, { workerId: 'w2', limit: 5, leaseMs: 60_000, now: at(7_000) });
    expect(rescued.rescued).toBe(1);
    const running = rescued.jobs.length ? rescued.jobs : await claim(t.db, at(7_001), 5, 'w2');
    expect(running).toHaveLength(1);
    expect(await claim(t.db, at(7_002), 5, 'w3')).toHaveLength(0);
    await done(t.db, running, at(8_000));
    // Done: the slot is back, the next job starts, and every job is accounted for.
    expect(await claim(t.db, at(8_001), 5, 'w4')).toHaveLength(1);
    const [{ n }] = await t.db.execute<{ n: number }>(
      sql`select count(*)::int as n from jobs where status = 'processing'`,
    );
    expect(n).toBe(1);
  });
});
