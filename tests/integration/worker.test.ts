import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { z } from 'zod';
import {
  defineJobType,
  enqueueJob,
  enqueueJobs,
  getJobWithEvents,
  listenWith,
  startWorker,
  type JobTypes,
  type WorkerHandle,
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
    const types = typesWith(async (n) => {
      ran.push(n);
      return { n };
    });
    const worker = await startWorker(t.db, types, {
      concurrency: 2,
      pollIntervalMs: 600_000,
      listen: listenWith(listener),
    });
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
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const started: number[] = [];
    // Jobs 0 and 1 finish once the gate opens; the others hang and ignore their signal.
    const types = typesWith(async (n) => {
      started.push(n);
      if (n < 2) await gate;
      else await new Promise(() => {});
      return { n };
    });
    await enqueueJobs(
      t.db,
      types,
      Array.from({ length: 6 }, (_, n) => ({ type: 'w.job', payload: { n } })),
    );
    const worker = await startWorker(t.db, types, { concurrency: 4, prefetch: 2, pollIntervalMs: 600_000 });
    await until(() => started.length === 4);
    const stopping = worker.stop({ deadlineMs: 300 });
    release();
    const stats = await stopping;

    expect(stats).toMatchObject({ completed: 2, released: 4, running: 0, buffered: 0 });
    const rows = await t.db.execute(
      sql`select payload->>'n' as n, status, attempts from jobs order by (payload->>'n')::int`,
    );
    expect(rows.map((r) => [Number(r.n), r.status, Number(r.attempts)])).toEqual([
      [0, 'completed', 1],
      [1, 'completed', 1],
      [2, 'pending', 0],
      [3, 'pending', 0],
      [4, 'pending', 0],
      [5, 'pending', 0],
    ]);
    const [released] = await t.db.execute(
      sql`select count(*)::int as n from job_events where message = 'Released on shutdown'`,
    );
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
    await enqueueJobs(
      t.db,
      types,
      Array.from({ length: total }, (_, n) => ({ type: 'w.job', payload: { n } })),
    );
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

  it("extends a buffered job's lease before starting it, and skips a job whose lease was lost meanwhile", async () => {
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    const ids: string[] = [];
    const seen: { n: number; leaseLeftMs: number }[] = [];
    const types = typesWith(async (n) => {
      const [row] = await t.db.execute(
        sql`select extract(epoch from locked_until) * 1000 as ms from jobs where id = ${ids[n]}`,
      );
      seen.push({ n, leaseLeftMs: Number(row.ms) - clock().getTime() });
      if (n === 0) {
        // Time passes while job 0 runs: jobs 1 and 2, buffered, now have less than 5 s of their 10 s lease
        // left; meanwhile job 2's lease is taken over by another worker.
        offset += 6_000;
        await t.db.execute(sql`update jobs set locked_by = 'someone-else' where id = ${ids[2]}`);
      }
      return { n };
    });
    const created = await enqueueJobs(
      t.db,
      types,
      [0, 1, 2].map((n) => ({ type: 'w.job', payload: { n } })),
    );
    ids.push(...created.map((r) => r.job.id));
    const errors: unknown[] = [];
    const worker = await startWorker(t.db, types, {
      concurrency: 1,
      prefetch: 2,
      leaseMs: 10_000,
      pollIntervalMs: 600_000,
      clock,
      onError: (e) => errors.push(e),
    });
    await until(async () => (await statusCounts()).completed === 2);
    const stats = await worker.stop({ deadlineMs: 1_000 });

    expect(seen.map((s) => s.n)).toEqual([0, 1]);
    expect(seen[1].leaseLeftMs).toBeGreaterThan(9_000); // extended to a full lease before it started
    expect(stats).toMatchObject({ claimed: 3, completed: 2 });
    const rows = await t.db.execute(
      sql`select payload->>'n' as n, status, locked_by from jobs order by (payload->>'n')::int`,
    );
    expect(rows.map((r) => [Number(r.n), r.status, r.locked_by])).toEqual([
      [0, 'completed', null],
      [1, 'completed', null],
      [2, 'processing', 'someone-else'],
    ]);
    expect(errors).toEqual([]);
  });

  it('an onOutcome callback that throws is reported through onError and stops nothing', async () => {
    const types = typesWith(async (n) => ({ n }));
    await enqueueJobs(
      t.db,
      types,
      Array.from({ length: 5 }, (_, n) => ({ type: 'w.job', payload: { n } })),
    );
    const errors: unknown[] = [];
    const worker = await startWorker(t.db, types, {
      concurrency: 2,
      pollIntervalMs: 600_000,
      onOutcome: () => {
        throw new Error('listener broke');
      },
      onError: (e) => errors.push(e),
    });
    await until(async () => (await statusCounts()).completed === 5);
    const stats = await worker.stop({ deadlineMs: 1_000 });
    expect(stats.completed).toBe(5);
    expect(errors.map((e) => (e as Error).message)).toEqual(Array(5).fill('listener broke'));
  });

  it("a stop that comes while a buffered job's lease is being extended hands that job back unstarted", async () => {
    let offset = 0;
    const clock = () => new Date(Date.now() + offset);
    const ids: string[] = [];
    const ran: number[] = [];
    const other = t.connect(1);
    let unlock!: () => void;
    const gate = new Promise<void>((r) => {
      unlock = r;
    });
    let lockHeld: Promise<void> | undefined;
    const types = typesWith(async (n) => {
      ran.push(n);
      if (n === 0) {
        // Job 1, buffered, now has too little lease left, and its row is locked elsewhere: the
        // extension the worker asks for before starting it waits.
        offset += 6_000;
        let acquired!: () => void;
        const locked = new Promise<void>((r) => {
          acquired = r;
        });
        lockHeld = other.db.transaction(async (tx) => {
          await tx.execute(sql`select id from jobs where id = ${ids[1]} for update`);
          acquired();
          await gate;
        });
        await locked;
      }
      return { n };
    });
    const created = await enqueueJobs(
      t.db,
      types,
      [0, 1].map((n) => ({ type: 'w.job', payload: { n } })),
    );
    ids.push(...created.map((r) => r.job.id));
    const worker = await startWorker(t.db, types, {
      concurrency: 1,
      prefetch: 1,
      leaseMs: 10_000,
      pollIntervalMs: 600_000,
      clock,
    });
    try {
      await until(async () => (await statusCounts()).completed === 1);
      await until(async () => {
        const [w] = await t.db.execute(sql`
          select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`);
        return Number(w.n) > 0;
      });
      const stopped = worker.stop({ deadlineMs: 200 });
      // Past the deadline the stop releases job 1 too, queued behind the extension on the same lock.
      await new Promise((r) => setTimeout(r, 500));
      unlock();
      await lockHeld;
      await stopped;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      unlock();
      await other.end();
    }
    expect(ran).toEqual([0]);
    const [row] = await t.db.execute(sql`select status, attempts, locked_by from jobs where id = ${ids[1]}`);
    expect(row).toEqual({ status: 'pending', attempts: 0, locked_by: null });
  });

  it('a signal aborted before the worker starts stops it before any claim', async () => {
    const types = typesWith(async (n) => ({ n }));
    await enqueueJobs(t.db, types, [{ type: 'w.job', payload: { n: 0 } }]);
    const worker = await startWorker(t.db, types, { pollIntervalMs: 600_000, signal: AbortSignal.abort() });
    const stats = await worker.stop();
    expect(stats.claimed).toBe(0);
    expect(await statusCounts()).toEqual({ pending: 1 });
  });
});
