import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelJob,
  claimJobs,
  completeJob,
  completeJobs,
  deferJob,
  enqueueJob,
  failJob,
  getJobWithEvents,
  pauseJob,
  rescueExpiredLeases,
  resumeJob,
  retryJob,
  retryJobs,
  extendLease,
  deleteJob,
  type QueueError,
  parseBackoff,
} from '@/lib/queue';
import { sql } from 'drizzle-orm';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { testTypes } from '../helpers/factories';

let t: TestDb;
const types = testTypes();
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

const policy = parseBackoff({ baseMs: 1000, maxMs: 10_000, jitter: 0, priorityStep: 1 });
const later = (d: Date, ms: number) => new Date(d.getTime() + ms);
const claimOne = async (now: Date, workerId = 'w') => {
  const [j] = await claimJobs(t.db, { workerId, limit: 1, leaseMs: 30_000, now, types: ['test.noop'] });
  return j;
};
const errCode = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: QueueError) => e.code,
  );

describe('job lifecycle', () => {
  it('retries with backoff and growing priority number, then fails for good keeping every error', async () => {
    let now = new Date('2026-05-01T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop', maxAttempts: 3, dedupKey: 'retry-me' }, { now });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = await claimOne(now);
      expect(claimed.id).toBe(job.id);
      expect(claimed.attempts).toBe(attempt);
      const after = await failJob(t.db, { id: job.id, workerId: 'w', attempt, error: `boom ${attempt}`, now, policy });
      if (attempt < 3) {
        expect(after.status).toBe('pending');
        expect(after.priority).toBe(10 + attempt);
        expect(after.runAt.getTime()).toBe(now.getTime() + 1000 * 2 ** (attempt - 1));
        expect(await claimOne(later(after.runAt, -1))).toBeUndefined();
        now = after.runAt;
      } else {
        expect(after.status).toBe('failed');
        expect(after.lastError).toBe('boom 3');
        expect(after.completedAt).not.toBeNull();
      }
    }
    const { events } = await getJobWithEvents(t.db, job.id);
    expect(events.filter((e) => e.toStatus !== 'processing').map((e) => `${e.toStatus}:${e.message}`)).toEqual([
      'pending:boom 1',
      'pending:boom 2',
      'failed:boom 3',
    ]);
    // a failed job can be retried by hand with a fresh budget
    const retried = await retryJob(t.db, { id: job.id, now });
    expect(retried).toMatchObject({ status: 'pending', attempts: 0 });
    await cancelJob(t.db, { id: job.id, now });
  });

  it('a permanent failure skips the remaining attempts', async () => {
    const now = new Date('2026-05-02T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop', maxAttempts: 5 }, { now });
    await claimOne(now);
    const f = await failJob(t.db, {
      id: job.id,
      workerId: 'w',
      attempt: 1,
      error: 'no such user',
      now,
      permanent: true,
    });
    expect(f).toMatchObject({ status: 'failed', attempts: 1, lastError: 'no such user' });
  });

  it('rescues an expired lease; the old holder can then neither complete nor fail it', async () => {
    const now = new Date('2026-05-03T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop' }, { now });
    await claimOne(now, 'old');
    expect(await rescueExpiredLeases(t.db, { now: later(now, 29_999) })).toEqual([]);
    const rescued = await rescueExpiredLeases(t.db, { now: later(now, 30_001) });
    expect(rescued.map((j) => [j.id, j.status, j.attempts])).toEqual([[job.id, 'pending', 1]]);
    expect(await errCode(completeJob(t.db, { id: job.id, workerId: 'old', attempt: 1, now }))).toBe(
      'invalid_transition',
    );
    const again = await claimOne(later(now, 30_002), 'new');
    expect(again.attempts).toBe(2);
    expect(await errCode(completeJob(t.db, { id: job.id, workerId: 'old', attempt: 1, now }))).toBe('conflict');
    expect(await extendLease(t.db, { id: job.id, workerId: 'old', attempt: 1, leaseMs: 1000, now })).toBe(false);
    expect(await extendLease(t.db, { id: job.id, workerId: 'new', attempt: 2, leaseMs: 1000, now })).toBe(true);
    const done = await completeJob(t.db, { id: job.id, workerId: 'new', attempt: 2, now: later(now, 30_100) });
    expect(done.status).toBe('completed');
    const { events } = await getJobWithEvents(t.db, job.id);
    expect(events.map((e) => `${e.toStatus}:${e.worker}`)).toEqual([
      'processing:old',
      'pending:old',
      'processing:new',
      'completed:new',
    ]);
    expect(events[1].message).toMatch(/Lease expired/);
  });

  it('a rescue with no attempts left ends in failed', async () => {
    const now = new Date('2026-05-04T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop', maxAttempts: 1 }, { now });
    await claimOne(now);
    const [r] = await rescueExpiredLeases(t.db, { now: later(now, 60_000) });
    expect(r).toMatchObject({ id: job.id, status: 'failed' });
  });

  it('a rate-limit deferral gives the attempt back and records the provider', async () => {
    const now = new Date('2026-05-05T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop', maxAttempts: 1 }, { now });
    await claimOne(now);
    const d = await deferJob(t.db, {
      id: job.id,
      workerId: 'w',
      attempt: 1,
      provider: 'github',
      retryAfterSec: 120,
      now,
    });
    expect(d).toMatchObject({ status: 'pending', attempts: 0, deferrals: 1, failedProviders: ['github'] });
    expect(d.runAt.getTime()).toBe(now.getTime() + 120_000);
    await claimOne(d.runAt);
    const d2 = await deferJob(t.db, {
      id: job.id,
      workerId: 'w',
      attempt: 1,
      provider: 'github',
      retryAfterSec: 1,
      now: d.runAt,
      freeDeferrals: 1,
    });
    // past the free deferrals the attempt is spent, and with none left the job fails
    expect(d2).toMatchObject({ status: 'failed', attempts: 1, failedProviders: ['github'] });
  });

  it('cancel, pause and resume follow the transition table', async () => {
    const now = new Date('2026-05-06T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop' }, { now });
    expect((await pauseJob(t.db, { id: job.id, now })).status).toBe('paused');
    expect(await claimOne(now)).toBeUndefined();
    expect(await errCode(resumeJob(t.db, { id: '00000000-0000-0000-0000-000000000000', now }))).toBe('not_found');
    expect((await resumeJob(t.db, { id: job.id, now })).status).toBe('pending');
    expect(await errCode(resumeJob(t.db, { id: job.id, now }))).toBe('invalid_transition');
    const claimed = await claimOne(now);
    expect((await cancelJob(t.db, { id: claimed.id, now })).status).toBe('cancelled');
    expect(await errCode(completeJob(t.db, { id: job.id, workerId: 'w', attempt: 1, now }))).toBe('invalid_transition');
    expect(await errCode(pauseJob(t.db, { id: job.id, now }))).toBe('invalid_transition');
    expect(await errCode(cancelJob(t.db, { id: 'not-a-uuid', now }))).toBe('not_found');
    await deleteJob(t.db, job.id);
    expect(await errCode(getJobWithEvents(t.db, job.id))).toBe('not_found');
  });

  it('retrying all failed skips a job whose key is taken by an unfinished one', async () => {
    const now = new Date('2026-05-07T00:00:00Z');
    const a = await enqueueJob(t.db, types, { type: 'test.noop', maxAttempts: 1, dedupKey: 'dup-r' }, { now });
    await claimOne(now);
    await failJob(t.db, { id: a.job.id, workerId: 'w', attempt: 1, error: 'x', now });
    const b = await enqueueJob(t.db, types, { type: 'test.noop', dedupKey: 'dup-r' }, { now });
    expect(b.created).toBe(true);
    const restarted = await retryJobs(t.db, { type: 'test.noop' }, { now });
    expect(restarted.map((j) => j.id)).not.toContain(a.job.id);
    expect(await errCode(retryJob(t.db, { id: a.job.id, now }))).toBe('conflict');
  });

  it('a resume that waited on a job claimed meanwhile leaves the running job and its lease alone', async () => {
    const now = new Date('2026-05-07T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop', queue: 'resume-race' }, { now });
    await pauseJob(t.db, { id: job.id, now });
    const other = t.connect(1);
    try {
      let resumed: Promise<string> | undefined;
      await t.db.transaction(async (tx) => {
        await tx.execute(sql`select id from jobs where id = ${job.id} for update`);
        // The resume reads "paused", then queues on the row lock held here.
        resumed = errCode(resumeJob(other.db, { id: job.id, now }));
        while (true) {
          const [w] = await t.db.execute(
            sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
          );
          if (Number(w.n) > 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        // Meanwhile: resumed by someone else and claimed by a worker.
        await tx.execute(sql`update jobs set status = 'processing', locked_by = 'runner', locked_until = ${later(now, 60_000).toISOString()}::timestamptz,
                               attempts = attempts + 1 where id = ${job.id}`);
      });
      expect(await resumed).toBe('conflict');
    } finally {
      await other.end();
    }
    const [row] = await t.db.execute(sql`select status, locked_by from jobs where id = ${job.id}`);
    expect(row).toEqual({ status: 'processing', locked_by: 'runner' });
  });

  it('a run cancelled, retried and claimed again by the same worker cannot complete or fail the new claim', async () => {
    const t1 = new Date('2026-05-08T00:00:00Z');
    const { job } = await enqueueJob(t.db, types, { type: 'test.noop', queue: 'aba' }, { now: t1 });
    const claimAba = async (now: Date) =>
      (await claimJobs(t.db, { workerId: 'same-worker', limit: 1, leaseMs: 30_000, now, queues: ['aba'] }))[0];
    const first = await claimAba(t1);
    await cancelJob(t.db, { id: job.id, now: t1 });
    await retryJob(t.db, { id: job.id, now: t1 });
    const t2 = later(t1, 1_000);
    const second = await claimAba(t2);
    // Same job, same worker, same attempt number: only the claim's start tells the two runs apart.
    expect([second.id, second.attempts, second.lockedBy]).toEqual([first.id, first.attempts, first.lockedBy]);
    const stale = {
      workerId: 'same-worker',
      now: t2,
      items: [{ id: job.id, attempt: first.attempts, startedAt: first.startedAt, result: 'old' }],
    };
    expect(await completeJobs(t.db, stale)).toEqual([]);
    expect(
      await errCode(
        failJob(t.db, {
          id: job.id,
          workerId: 'same-worker',
          attempt: first.attempts,
          startedAt: first.startedAt,
          error: 'old run',
          now: t2,
          policy,
        }),
      ),
    ).not.toBe('ok');
    expect(
      await errCode(
        deferJob(t.db, {
          id: job.id,
          workerId: 'same-worker',
          attempt: first.attempts,
          startedAt: first.startedAt,
          provider: 'github',
          retryAfterSec: 5,
          now: t2,
        }),
      ),
    ).not.toBe('ok');
    const current = {
      workerId: 'same-worker',
      now: t2,
      items: [{ id: job.id, attempt: second.attempts, startedAt: second.startedAt, result: 'new' }],
    };
    expect(await completeJobs(t.db, current)).toEqual([job.id]);
    const { job: done } = await getJobWithEvents(t.db, job.id);
    expect(done).toMatchObject({ status: 'completed', result: 'new' });
  });
});
