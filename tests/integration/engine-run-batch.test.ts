import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  defineJobType,
  enqueueJob,
  enqueueJobs,
  getJob,
  getJobWithEvents,
  PermanentJobError,
  runBatch,
  type JobTypes,
} from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.db.execute(sql`delete from jobs; delete from job_events`);
});

const Payload = z.object({
  mode: z.enum(['ok', 'boom', 'fatal', 'slow', 'limited', 'progress', 'nul', 'bigint', 'limited-nan']),
  n: z.number().default(0),
});
let running = 0;
let maxRunning = 0;
const calls: number[] = [];

const types: JobTypes = {
  'rb.work': defineJobType({
    queue: 'rb',
    payloadSchema: Payload,
    timeoutMs: 200,
    handle: async ({ payload, signal, rateLimited, progress }) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      calls.push(payload.n);
      try {
        await new Promise((r) => setTimeout(r, 5));
        if (payload.mode === 'boom') throw new Error('platform said 502');
        if (payload.mode === 'fatal') throw new PermanentJobError('account not found');
        if (payload.mode === 'limited') rateLimited('twitter', 90);
        if (payload.mode === 'progress') await progress('page 2 of 3');
        if (payload.mode === 'limited-nan') rateLimited('youtube', Number('Wed, 21 Oct 2026 07:28:00 GMT'));
        if (payload.mode === 'nul') return { text: 'scraped\u0000text' };
        if (payload.mode === 'bigint') return { views: BigInt(2) ** BigInt(64) };
        if (payload.mode === 'slow') {
          await new Promise((resolve, reject) => {
            const timer = setTimeout(resolve, 5_000);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(signal.reason);
            });
          });
        }
        return { doubled: payload.n * 2 };
      } finally {
        running--;
      }
    },
  }),
  'rb.external': defineJobType({ queue: 'rb', payloadSchema: z.object({}) }),
};

describe('runBatch', () => {
  it('runs each claimed job once with bounded concurrency and settles every outcome', async () => {
    maxRunning = 0;
    calls.length = 0;
    const modes = ['ok', 'ok', 'boom', 'fatal', 'limited', 'slow', 'progress', 'ok'] as const;
    const jobs = await enqueueJobs(
      t.db,
      types,
      modes.map((mode, n) => ({ type: 'rb.work', payload: { mode, n } })),
    );
    const ext = await enqueueJob(t.db, types, { type: 'rb.external' });
    const summary = await runBatch(t.db, types, { limit: 3, concurrency: 2, timeBudgetMs: 10_000 });

    expect(summary.claimed).toBe(8);
    expect(calls.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(summary.counts).toEqual({ completed: 4, retrying: 2, failed: 1, deferred: 1, lost: 0 });
    const byN = new Map(summary.jobs.map((j) => [(j.payload as { n: number }).n, j]));
    expect(byN.get(2)).toMatchObject({ outcome: 'retrying', error: 'platform said 502' });
    expect(byN.get(3)).toMatchObject({ outcome: 'failed', error: 'account not found' });
    expect(byN.get(4)).toMatchObject({ outcome: 'deferred' });
    expect(byN.get(5)).toMatchObject({ outcome: 'retrying', error: 'Timed out after 200 ms' });

    const done = await getJob(t.db, jobs[0].job.id);
    expect(done).toMatchObject({ status: 'completed', result: { doubled: 0 } });
    expect((await getJob(t.db, jobs[6].job.id))?.progress).toBe('page 2 of 3');
    const limited = await getJob(t.db, jobs[4].job.id);
    expect(limited).toMatchObject({ status: 'pending', attempts: 0, failedProviders: ['twitter'] });
    expect((await getJob(t.db, ext.job.id))?.status).toBe('pending');
    const { events } = await getJobWithEvents(t.db, jobs[3].job.id);
    expect(events.map((e) => e.toStatus)).toEqual(['processing', 'failed']);
  });

  it('stops claiming at maxJobs and when the queue is empty', async () => {
    await enqueueJobs(
      t.db,
      types,
      Array.from({ length: 10 }, (_, n) => ({ type: 'rb.work', payload: { mode: 'ok', n } })),
    );
    const first = await runBatch(t.db, types, { limit: 4, maxJobs: 6 });
    expect(first).toMatchObject({ claimed: 6, stoppedBy: 'cap' });
    const second = await runBatch(t.db, types, { limit: 4 });
    expect(second).toMatchObject({ claimed: 4, stoppedBy: 'empty' });
  });

  it('claims nothing new once the time budget is spent', async () => {
    let fake = Date.parse('2026-07-01T00:00:00Z');
    // Due at the batch's clock: the budget, not an empty queue, must be what stops it.
    await enqueueJobs(
      t.db,
      types,
      Array.from({ length: 5 }, (_, n) => ({ type: 'rb.work', payload: { mode: 'ok', n } })),
      { now: new Date(fake) },
    );
    const clock = () => new Date((fake += 400));
    const summary = await runBatch(t.db, types, { limit: 1, timeBudgetMs: 1000, clock });
    expect(summary.stoppedBy).toBe('budget');
    expect(summary.claimed).toBeLessThan(5);
    const [{ n }] = await t.db.execute(sql`select count(*)::int as n from jobs where status = 'pending'`);
    expect(n).toBe(5 - summary.claimed + summary.released); // a claimed job left too little budget to start goes back
  });

  it('two overlapping batches never run the same job', async () => {
    calls.length = 0;
    await enqueueJobs(
      t.db,
      types,
      Array.from({ length: 60 }, (_, n) => ({ type: 'rb.work', payload: { mode: 'ok', n } })),
    );
    const a = t.connect(3);
    const b = t.connect(3);
    const [sa, sb] = await Promise.all([runBatch(a.db, types, { limit: 5 }), runBatch(b.db, types, { limit: 5 })]);
    await Promise.all([a.end(), b.end()]);
    expect(sa.claimed + sb.claimed).toBe(60);
    expect(calls.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const [{ n }] = await t.db.execute(sql`select count(*)::int as n from jobs where status = 'completed'`);
    expect(n).toBe(60);
  });

  it('fails only the job whose result cannot be stored; the rest of its completion group completes', async () => {
    const modes = ['ok', 'nul', 'ok', 'bigint', 'ok'] as const;
    const jobs = await enqueueJobs(
      t.db,
      types,
      modes.map((mode, n) => ({ type: 'rb.work', payload: { mode, n } })),
    );
    const summary = await runBatch(t.db, types, { limit: 5, concurrency: 5 });
    expect(summary.counts).toMatchObject({ completed: 3, failed: 2, lost: 0 });
    const status = async (i: number) => getJob(t.db, jobs[i].job.id);
    for (const i of [0, 2, 4])
      expect(await status(i)).toMatchObject({ status: 'completed', result: { doubled: i * 2 } });
    expect(await status(1)).toMatchObject({
      status: 'failed',
      lastError: 'Result cannot be stored: it contains the NUL character (\\u0000)',
    });
    expect((await status(3))?.lastError).toMatch(/^Result cannot be stored: .*BigInt/);
  });

  it('defers a job whose Retry-After did not parse by the default minute, instead of leaving it leased', async () => {
    const [job] = await enqueueJobs(t.db, types, [{ type: 'rb.work', payload: { mode: 'limited-nan' } }]);
    const before = Date.now();
    const summary = await runBatch(t.db, types, { limit: 1 });
    expect(summary.counts.deferred).toBe(1);
    const after = await getJob(t.db, job.job.id);
    expect(after).toMatchObject({ status: 'pending', lockedBy: null, failedProviders: ['youtube'] });
    const waitS = (after!.runAt.getTime() - before) / 1000;
    expect(waitS).toBeGreaterThan(55);
    expect(waitS).toBeLessThan(65);
  });
});
