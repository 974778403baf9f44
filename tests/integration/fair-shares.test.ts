/**
 * Fair shares: within a queue, owners take turns at the claim. One owner's backlog of 100,000 does not
 * hold back another owner's single job; owners' jobs interleave one for one; jobs without an owner keep
 * their due-time order; jobs not yet due never sort ahead of due ones.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { claimJobs, coolDown, defineJobType, enqueueJobs, failJob, setLimit, type JobTypes } from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.db.execute(sql`delete from jobs; delete from job_events; delete from limits; delete from limit_events`);
});

const Payload = z.object({
  owner: z.string().nullable(),
  key: z.string().nullable().default(null),
  n: z.number().int(),
});
const types: JobTypes = {
  'fair.task': defineJobType({
    queue: 'fair',
    payloadSchema: Payload,
    ownerKey: (p: z.infer<typeof Payload>) => p.owner,
    limitKey: (p: z.infer<typeof Payload>) => p.key,
    handle: async () => null,
  }),
};
const at = (ms: number) => new Date(Date.parse('2026-06-01T12:00:00Z') + ms);
const enqueue = (owner: string | null, n: number, now: Date, key: string | null = null, delayMs = 0) =>
  enqueueJobs(
    t.db,
    types,
    Array.from({ length: n }, (_, i) => ({ type: 'fair.task', payload: { owner, key, n: i }, delayMs })),
    { now },
  );
const claim = (now: Date, limit = 1) => claimJobs(t.db, { workerId: 'w', limit, leaseMs: 60_000, now });
const owners = (jobs: { payload: unknown }[]) => jobs.map((j) => (j.payload as { owner: string | null }).owner);

describe('fair shares', () => {
  it("owner B's single job starts within two claims although owner A has 100,000 waiting", async () => {
    await enqueue('A', 100_000, at(0));
    await claim(at(1_000), 50); // A is being worked when B arrives
    const [b] = (await enqueue('B', 1, at(2_000))).map((r) => r.job);
    expect(b.ownerKey).toBe('B');
    const first = await claim(at(3_000));
    const second = await claim(at(3_000));
    expect([...owners(first), ...owners(second)]).toContain('B');
    const [{ waiting }] = await t.db.execute<{ waiting: number }>(
      sql`select count(*)::int as waiting from jobs where status = 'pending'`,
    );
    expect(waiting).toBe(100_000 - 50 - 1);
  }, 120_000);

  it('the same holds for jobs walked per limit key', async () => {
    await setLimit(t.db, 'api', { concurrency: 100 }, { actor: 'test', now: at(0) });
    await enqueue('A', 2_000, at(0), 'api');
    await enqueue('B', 1, at(1_000), 'api');
    const first = await claim(at(2_000));
    const second = await claim(at(2_000));
    expect([...owners(first), ...owners(second)]).toContain('B');
  });

  it("owners' jobs interleave one for one, each owner's in its own order", async () => {
    await enqueue('A', 6, at(0));
    await enqueue('B', 3, at(1_000));
    await enqueue('C', 2, at(2_000));
    const jobs = await claim(at(3_000), 11);
    expect(owners(jobs)).toEqual(['A', 'B', 'C', 'A', 'B', 'C', 'A', 'B', 'A', 'A', 'A']);
    for (const o of ['A', 'B', 'C']) {
      const ns = jobs.filter((j) => j.ownerKey === o).map((j) => (j.payload as { n: number }).n);
      expect(ns).toEqual([...ns].sort((x, y) => x - y));
    }
  });

  it('an owner who comes back after its backlog is done is not made to wait for what it ran before', async () => {
    await enqueue('A', 500, at(0));
    expect(await claim(at(1_000), 500)).toHaveLength(500);
    await enqueue('B', 3, at(2_000));
    await enqueue('A', 1, at(3_000));
    expect(owners(await claim(at(4_000), 4))).toEqual(['B', 'A', 'B', 'B']);
  });

  it('jobs without an owner keep the order they became due in', async () => {
    await enqueue(null, 3, at(0));
    await enqueue(null, 2, at(-5_000));
    const jobs = await claim(at(1_000), 5);
    expect(jobs.map((j) => j.createdAt.getTime())).toEqual(
      [at(-5_000), at(-5_000), at(0), at(0), at(0)].map((d) => d.getTime()),
    );
  });

  it("an owner's job that is not yet due is not claimed early, and does not hold back due ones", async () => {
    await enqueue('A', 1, at(0), null, 60_000);
    await enqueue('B', 2, at(1_000));
    expect(owners(await claim(at(2_000), 5))).toEqual(['B', 'B']);
    expect(await claim(at(30_000), 5)).toHaveLength(0);
    expect(owners(await claim(at(60_000), 5))).toEqual(['A']);
  });

  it('a retried job waits for its backoff, then takes its turn', async () => {
    await enqueue('A', 1, at(0));
    const [job] = await claim(at(1_000));
    await failJob(t.db, {
      id: job.id,
      workerId: 'w',
      attempt: job.attempts,
      error: 'boom',
      now: at(1_000),
      policy: { baseMs: 30_000, maxMs: 30_000, factor: 1, jitter: 0, priorityStep: 0 },
    });
    await enqueue('B', 1, at(2_000));
    expect(owners(await claim(at(3_000), 5))).toEqual(['B']);
    expect(owners(await claim(at(31_000), 5))).toEqual(['A']);
  });

  it('jobs deferred by a cool-down keep their order', async () => {
    await enqueue('A', 3, at(0), 'api');
    await enqueue('B', 3, at(0), 'api');
    await coolDown(t.db, { key: 'api', until: at(60_000), cause: 'test', actor: 'test', now: at(1_000) });
    expect(await claim(at(2_000), 10)).toHaveLength(0);
    const jobs = await claim(at(61_000), 10);
    expect(owners(jobs)).toEqual(['A', 'B', 'A', 'B', 'A', 'B']);
  });

  it('an owner key is checked at enqueue', async () => {
    await expect(enqueue('x'.repeat(201), 1, at(0))).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(enqueue('a\u0000b', 1, at(0))).rejects.toMatchObject({ code: 'invalid_input' });
    const [{ n }] = await t.db.execute<{ n: number }>(sql`select count(*)::int as n from jobs`);
    expect(n).toBe(0);
  });
});
