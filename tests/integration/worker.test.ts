import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { z } from 'zod';
import {
  defineJobType, enqueueJob, enqueueJobs, getJobWithEvents, listenWith, startWorker, type JobTypes, type WorkerHandle,
} from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
let listener: postgres.Sql;
const workers: WorkerHandle[] = [];
beforeAll(async () => {
  t = await createTestDb();
  listener = postgres(t.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop({ deadlineMs: 0 })));
  await listener.end({ timeout: 5 });
  await t.close();
});
beforeEach(async () => {
  await t.db.execute(sql`delete from jobs; delete from job_events`);
});

/** Resolves when `check` holds, polling the database; fails the test after `ms`. */
async function until(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const statusCounts = async () => {
  const rows = await t.db.execute(sql`select status, count(*)::int as n from jobs group by status`);
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
};

function typesWith(handle: (n: number, signal: AbortSignal) => Promise<unknown>): JobTypes {
  return {
    'w.job': defineJobType({
      queue: 'w',
      payloadSchema: z.object({ n: z.number().int() }),
      timeoutMs: 60_000,
      handle: ({ payload, signal }) => handle(payload.n, signal),
    }),
  };
}

describe('continuous worker', () => {
  it('picks up a job enqueued while idle through NOTIFY, long before its next poll', async () => {
    const ran: number[] = [];
    const types = typesWith(async (n) => { ran.push(n); return { n }; });
    const worker = await startWorker(t.db, types, { concurrency: 2, pollIntervalMs: 600_000, listen: listenWith(listener) });
    workers.push(worker);
    await until(() => worker.stats().idle); // the first claim found nothing: waiting to be woken
    const { job } = await enqueueJob(t.db, types, { type: 'w.job', payload: { n: 7 } });
    await until(async () => (await statusCounts()).completed === 1);
    expect(ran).toEqual([7]);
    const { events } = await getJobWithEvents(t.db, job.id);
    expect(events.map((e) => e.toStatus)).toEqual(['processing', 'completed']);
    await worker.stop();
  });

  it('on stop, finishes what it can by the deadline and hands the rest back without spending attempts', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const started: number[] = [];
    // Jobs 0 and 1 finish once the gate opens; the others hang and ignore their signal.
    const types = typesWith(async (n) => {
      started.push(n);
      if (n < 2) await gate;
      else await new Promise(() => {});
      return { n };
    });
    await enqueueJobs(t.db, types, Array.from({ length: 6 }, (_, n) => ({ type: 'w.job', payload: { n } })));
    const worker = await startWorker(t.db, types, { concurrency: 4, prefetch: 2, pollIntervalMs: 600_000 });
    await until(() => started.length === 4);
    const stopping = worker.stop({ deadlineMs: 300 });
    release();
    const stats = await stopping;

    expect(stats).toMatchObject({ completed: 2, released: 4, running: 0, buffered: 0 });
    const rows = await t.db.execute(sql`select payload->>'n' as n, status, attempts from jobs order by (payload->>'n')::int`);
    expect(rows.map((r) => [Number(r.n), r.status, Number(r.attempts)])).toEqual([
      [0, 'completed', 1], [1, 'completed', 1],
      [2, 'pending', 0], [3, 'pending', 0], [4, 'pending', 0], [5, 'pending', 0],
    ]);
    const [released] = await t.db.execute(sql`select count(*)::int as n from job_events where message = 'Released on shutdown'`);
    expect(released.n).toBe(4);
  });

  it('two workers draining one queue run every job exactly once', async () => {
    const runs = new Map<number, number>();
    const types = typesWith(async (n) => {
      runs.set(n, (runs.get(n) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, n % 3));
      return { n };
    });
    const total = 400;
    await enqueueJobs(t.db, types, Array.from({ length: total }, (_, n) => ({ type: 'w.job', payload: { n } })));
    const a = t.connect(4);
    const b = t.connect(4);
    const [wa, wb] = await Promise.all([
      startWorker(a.db, types, { concurrency: 8, prefetch: 16, pollIntervalMs: 50 }),
      startWorker(b.db, types, { concurrency: 8, prefetch: 16, pollIntervalMs: 50 }),
    ]);
    await until(async () => (await statusCounts()).completed === total);
    const [sa, sb] = await Promise.all([wa.stop(), wb.stop()]);
    await Promise.all([a.end(), b.end()]);

    expect(sa.completed + sb.completed).toBe(total);
    expect(sa.completed).toBeGreaterThan(0);
    expect(sb.completed).toBeGreaterThan(0);
    expect([...runs.values()].every((c) => c === 1)).toBe(true);
    expect(runs.size).toBe(total);
    const [events] = await t.db.execute(sql`select count(*)::int as n from job_events`);
    expect(events.n).toBe(total * 2);
  });
});
