import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { enqueueJob, enqueueJobs, getJob, QueueError, type EnqueueInput } from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { testTypes } from '../helpers/factories';

// Large calls take other paths than small ones: COPY for 1,000+ jobs without dedup keys, and one
// INSERT per 2,000 rows in one transaction for larger calls with them. These tests hold those paths
// to what a single small INSERT gives.
let t: TestDb;
const types = testTypes();
beforeAll(async () => {
  t = await createTestDb({ max: 4 });
});
afterAll(async () => {
  await t.close();
});

const countJobs = async (where = sql`true`) =>
  Number((await t.db.execute(sql`select count(*)::int as n from jobs where ${where}`))[0].n);
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof QueueError ? e.code : ((e as { code?: string }).code ?? String(e))),
  );
const USER = '6f1d2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b';
// Every character COPY's text format escapes, and some it must leave alone.
const AWKWARD = 'tab\there, line\nbreak, return\r, back\\slash, "quotes", \\N, ünïcødé ✓';

describe('enqueueing large batches', () => {
  it('stores a 2,500-job batch row for row as it returns it, awkward text included', async () => {
    const now = new Date('2026-05-01T10:00:00.000Z');
    const inputs: EnqueueInput[] = Array.from({ length: 2_500 }, (_, i) =>
      i % 5 === 0
        ? {
            type: 'test.external',
            payload: { i, note: AWKWARD, nested: { list: [AWKWARD, null, 1.5] } },
            metadata: { why: AWKWARD },
          }
        : i % 5 === 1
          ? {
              type: 'test.noop',
              payload: { n: i },
              priority: 'high',
              delayMs: 60_000,
              correlationId: `corr\t${i}`,
              userId: USER,
            }
          : i % 5 === 2
            ? {
                type: 'test.noop',
                payload: { n: i },
                entity: { type: 'doc\\x', id: `e\n${i}` },
                stage: 'scrape',
                maxAttempts: 9,
              }
            : { type: 'test.other', payload: { n: i } },
    );
    const results = await enqueueJobs(t.db, types, inputs, { now });
    expect(results).toHaveLength(2_500);
    expect(results.every((r) => r.created)).toBe(true);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(2_500);
    expect(await countJobs()).toBe(2_500);
    // Every job as read back equals the job returned, and the awkward text survived the round trip.
    for (const r of results.filter((_, i) => i % 5 !== 3 || i % 35 === 3)) {
      expect(await getJob(t.db, r.job.id)).toEqual(r.job);
    }
    const awkward = await getJob(t.db, results[0].job.id);
    expect(awkward?.payload).toEqual({ i: 0, note: AWKWARD, nested: { list: [AWKWARD, null, 1.5] } });
    expect(awkward?.metadata).toEqual({ why: AWKWARD });
    expect(await getJob(t.db, results[1].job.id)).toMatchObject({
      correlationId: 'corr\t1',
      userId: USER,
      runAt: new Date(now.getTime() + 60_000),
      priority: results[1].job.priority,
    });
    expect(await getJob(t.db, results[2].job.id)).toMatchObject({
      entityType: 'doc\\x',
      entityId: 'e\n2',
      stage: 'scrape',
      maxAttempts: 9,
    });
    // The counters behind the dashboard saw every row (the statement trigger runs for COPY too).
    const [counted] = await t.db.execute(
      sql`select coalesce(sum(n), 0)::int as n from job_counts where status = 'pending'`,
    );
    expect(counted.n).toBe(2_500);
  });

  it('writes nothing when an input late in the batch is invalid, and the connection stays usable', async () => {
    const one = t.connect(1);
    const before = await countJobs();
    const inputs: EnqueueInput[] = Array.from({ length: 3_000 }, (_, i) => ({ type: 'test.noop', payload: { n: i } }));
    inputs[2_700] = { type: 'test.noop', payload: { n: 'not a number' } };
    expect(await code(enqueueJobs(one.db, types, inputs))).toBe('invalid_input');
    inputs[2_700] = { type: 'no.such.type' };
    expect(await code(enqueueJobs(one.db, types, inputs))).toBe('unknown_type');
    expect(await countJobs()).toBe(before);
    const after = await enqueueJob(one.db, types, { type: 'test.noop', payload: { n: 1 } });
    expect(await getJob(t.db, after.job.id)).toEqual(after.job);
    await one.end();
  });

  it('writes nothing when the database refuses one row of the batch', async () => {
    const one = t.connect(1);
    const before = await countJobs();
    const inputs: EnqueueInput[] = Array.from({ length: 1_500 }, (_, i) => ({ type: 'test.noop', payload: { n: i } }));
    inputs[1_200] = { type: 'test.noop', queue: 'q'.repeat(101) }; // jobs_names_check allows 1 to 100
    expect(await code(enqueueJobs(one.db, types, inputs))).toBe('23514');
    expect(await countJobs()).toBe(before);
    expect((await enqueueJobs(one.db, types, inputs.slice(0, 1_100))).length).toBe(1_100);
    await one.end();
  });

  it("joins the caller's transaction: a rollback takes a large batch with it", async () => {
    const before = await countJobs();
    const failed = t.db.transaction(async (tx) => {
      const made = await enqueueJobs(
        tx,
        types,
        Array.from({ length: 1_200 }, (_, i) => ({ type: 'test.noop', payload: { n: i } })),
      );
      expect(made).toHaveLength(1_200);
      throw new Error('rollback');
    });
    await expect(failed).rejects.toThrow('rollback');
    expect(await countJobs()).toBe(before);
  });

  it('wakes listeners once, naming the queues that got due jobs', async () => {
    const listener = postgres(t.url, { max: 1, onnotice: () => {} });
    const heard: string[] = [];
    await listener.listen('steady_jobs', (payload) => heard.push(payload));
    await enqueueJobs(t.db, types, [
      ...Array.from({ length: 1_000 }, (_, i) => ({ type: 'test.other', payload: { n: i } })),
      ...Array.from({ length: 500 }, (_, i) => ({ type: 'test.noop', payload: { n: i }, delayMs: 3_600_000 })),
    ]);
    for (let i = 0; i < 50 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    await listener.end({ timeout: 5 });
    expect(heard).toEqual(['other']);
  });

  it('keeps dedup keys across the statements of a large batch', async () => {
    const held = await enqueueJob(t.db, types, { type: 'test.noop', dedupKey: 'bulk-held' });
    // 4,500 rows make three statements; row i and row i + 2,000 share a key, so every repeat is in a
    // later statement than the row that created its key.
    const inputs: EnqueueInput[] = Array.from({ length: 4_500 }, (_, i) => ({
      type: 'test.noop',
      payload: { n: i },
      dedupKey: `bulk-${i % 2_000}`,
    }));
    inputs[4_499] = { type: 'test.noop', payload: { n: 4_499 }, dedupKey: 'bulk-held' };
    const results = await enqueueJobs(t.db, types, inputs);
    expect(results.slice(0, 2_000).every((r) => r.created)).toBe(true);
    expect(results.slice(2_000, 4_499).some((r) => r.created)).toBe(false);
    for (let i = 2_000; i < 4_499; i += 97) expect(results[i].job.id).toBe(results[i % 2_000].job.id);
    expect(results[4_499]).toMatchObject({ created: false, job: { id: held.job.id } });
    expect(await countJobs(sql`dedup_key like 'bulk-%'`)).toBe(2_001);
  });
});
