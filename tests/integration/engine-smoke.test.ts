import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimJobs, completeJob, enqueueJob, failJob, getJobWithEvents, getQueueStats } from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { testTypes } from '../helpers/factories';

let t: TestDb;
beforeAll(async () => { t = await createTestDb(); });
afterAll(async () => { await t.close(); });

describe('engine smoke', () => {
  it('enqueues, claims, completes and records history', async () => {
    const types = testTypes();
    const now = new Date('2026-01-01T00:00:00Z');
    const { job, created } = await enqueueJob(t.db, types, { type: 'test.noop', payload: { n: 1 } }, { now });
    expect(created).toBe(true);
    expect(job.status).toBe('pending');
    const [claimed] = await claimJobs(t.db, { workerId: 'w1', limit: 5, leaseMs: 30_000, now });
    expect(claimed.id).toBe(job.id);
    expect(claimed.attempts).toBe(1);
    const done = await completeJob(t.db, { id: job.id, workerId: 'w1', attempt: 1, now: new Date(now.getTime() + 1500), result: { x: 1 } });
    expect(done.status).toBe('completed');
    expect(done.durationMs).toBe(1500);
    const { events } = await getJobWithEvents(t.db, job.id);
    expect(events.map((e) => `${e.fromStatus}->${e.toStatus}`)).toEqual(['pending->processing', 'processing->completed']);
    const stats = await getQueueStats(t.db, { now: new Date(now.getTime() + 2000) });
    expect(stats.totals.completed).toBe(1);
    expect(stats.completedToday).toBe(1);
    expect(stats.durations[0]).toMatchObject({ type: 'test.noop', p95Ms: 1500 });
  });

  it('fails with backoff', async () => {
    const types = testTypes();
    const now = new Date('2026-01-02T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop', maxAttempts: 2 }, { now });
    await claimJobs(t.db, { workerId: 'w', limit: 1, leaseMs: 1000, now });
    const f = await failJob(t.db, { id: job.id, workerId: 'w', attempt: 1, error: 'boom', now, random: () => 0 });
    expect(f.status).toBe('pending');
    expect(f.runAt.getTime()).toBe(now.getTime() + 5000);
  });
});
