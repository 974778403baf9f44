import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '@/drizzle/schema';
import {
  cancelJob,
  claimJobs,
  completeJob,
  deferJob,
  enqueueJobs,
  failJob,
  pauseJob,
  parseTs,
  type Job,
} from '@/lib/queue';
import { getAuditQueueStats } from '@/lib/audit/stats';
import * as statsRoute from '@/app/api/queue/stats/route';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { testTypes } from '../helpers/factories';
import { call, closeAppDb, useAppEnv } from '../helpers/route-call';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  useAppEnv(t);
});
afterAll(async () => {
  await closeAppDb();
  await t.close();
});

const types = testTypes();
const t0 = new Date('2030-03-01T12:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

async function make(n: number, type = 'test.noop', maxAttempts = 3): Promise<Job[]> {
  const made = await enqueueJobs(
    t.db,
    types,
    Array.from({ length: n }, (_, i) => ({ type, payload: { n: i }, maxAttempts })),
    { now: t0 },
  );
  return made.map((r) => r.job);
}

async function claim(list: Job[], worker: string): Promise<void> {
  const ids = new Set(list.map((j) => j.id));
  // each batch is made and claimed before the next is made, so the only due jobs of the type are these
  for (const job of list) {
    const [c] = await claimJobs(t.db, { workerId: worker, limit: 1, leaseMs: 600_000, now: t0, types: [job.type] });
    expect(ids.has(c.id)).toBe(true);
  }
}

/** Builds every state the stats distinguish, with known durations. */
async function seed() {
  const completed = await make(5);
  await claim(completed, 'w');
  for (const [i, job] of completed.entries()) {
    await completeJob(t.db, { id: job.id, workerId: 'w', attempt: 1, now: at(1000 * (i + 1)) });
  }
  const failed = await make(2, 'test.other', 1);
  await claim(failed, 'w');
  await failJob(t.db, { id: failed[0].id, workerId: 'w', attempt: 1, error: 'x', now: at(700) });
  await failJob(t.db, { id: failed[1].id, workerId: 'w', attempt: 1, error: 'y', now: at(900) });
  const retrying = await make(3, 'test.other', 3);
  await claim(retrying, 'w');
  for (const job of retrying) await failJob(t.db, { id: job.id, workerId: 'w', attempt: 1, error: 'z', now: at(100) });
  const deferred = await make(1, 'test.other');
  await claim(deferred, 'w');
  await deferJob(t.db, {
    id: deferred[0].id,
    workerId: 'w',
    attempt: 1,
    provider: 'github',
    retryAfterSec: 60,
    now: at(100),
  });
  const cancelled = await make(1, 'test.other');
  await cancelJob(t.db, { id: cancelled[0].id, now: at(50) });
  const paused = await make(1, 'test.other');
  await pauseJob(t.db, { id: paused[0].id, now: at(50) });
  await make(4, 'test.other');
  const running = await make(2);
  await claim(running, 'r');
}

describe('GET /api/queue/stats', () => {
  it('matches the rows: counts per queue and status, and average durations', async () => {
    await seed();
    const now = at(10_000);
    const stats = await getAuditQueueStats(t.db, now);

    const all = await t.db.select().from(jobs);
    const expected: Record<string, Record<string, { count: number; durations: number[] }>> = {};
    for (const r of all) {
      const hasRun = r.attempts > 0 || r.deferrals > 0;
      const status =
        r.status === 'pending' || r.status === 'paused'
          ? hasRun
            ? 'retrying'
            : 'queued'
          : r.status === 'cancelled'
            ? 'failed'
            : r.status;
      const slot = ((expected[r.queue] ??= {})[status] ??= { count: 0, durations: [] });
      slot.count++;
      if (r.status === 'completed' || r.status === 'failed') {
        if (r.durationMs !== null) slot.durations.push(r.durationMs);
      }
      if (r.status === 'processing') slot.durations.push(now.getTime() - parseTs(r.startedAt).getTime());
    }
    const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

    for (const [queue, byStatus] of Object.entries(expected)) {
      for (const status of ['queued', 'processing', 'completed', 'failed', 'retrying']) {
        const want = byStatus[status] ?? { count: 0, durations: [] };
        expect(stats.database[queue][status as 'queued'], `${queue}/${status}`).toEqual({
          count: want.count,
          avgDurationMs: ['queued', 'retrying'].includes(status) ? null : mean(want.durations),
        });
      }
    }
    // spot-check the seed itself, so a mapping error on both sides cannot pass unnoticed
    expect(stats.database.test.completed).toEqual({ count: 5, avgDurationMs: 3000 });
    expect(stats.database.test.processing).toEqual({ count: 2, avgDurationMs: 10_000 });
    expect(stats.database.other.failed).toEqual({ count: 3, avgDurationMs: 800 });
    expect(stats.database.other.retrying.count).toBe(4);
    expect(stats.database.other.queued.count).toBe(5);
    expect(stats.database.jobs).toEqual({
      queued: { count: 0, avgDurationMs: null },
      processing: { count: 0, avgDurationMs: null },
      completed: { count: 0, avgDurationMs: null },
      failed: { count: 0, avgDurationMs: null },
      retrying: { count: 0, avgDurationMs: null },
    });
    expect(stats.bull).toEqual({ waiting: 9, active: 2, completed: 5, failed: 3 });
    expect(stats.estimated).toEqual([]);
  });

  it('answers the same shape over HTTP', async () => {
    const res = await call(statsRoute.GET, 'GET', '/api/queue/stats');
    expect(res.status).toBe(200);
    expect(res.body.database.test.completed).toEqual({ count: 5, avgDurationMs: 3000 });
    expect(Object.keys(res.body.database)).toEqual(
      expect.arrayContaining(['jobs', 'pipeline', 'profile', 'sync', 'test', 'other']),
    );
  });
});
