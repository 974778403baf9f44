import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  claimJobs,
  completeJob,
  enqueueJob,
  enqueueJobs,
  getJob,
  type QueueError,
  MAX_PAYLOAD_BYTES,
} from '@/lib/queue';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { testTypes } from '../helpers/factories';

let t: TestDb;
const types = testTypes();
beforeAll(async () => {
  t = await createTestDb({ max: 4 });
});
afterAll(async () => {
  await t.close();
});

describe('enqueue', () => {
  it('20 concurrent identical enqueues make one row and all see it', async () => {
    const pools = Array.from({ length: 20 }, () => t.connect(1));
    const results = await Promise.all(
      pools.map((p) => enqueueJob(p.db, types, { type: 'test.noop', dedupKey: 'same-key', payload: { n: 7 } })),
    );
    await Promise.all(pools.map((p) => p.end()));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    const [row] = await t.db.execute(sql`select count(*)::int as n from jobs where dedup_key = 'same-key'`);
    expect(row.n).toBe(1);
  });

  it('frees a dedup key once its job has finished', async () => {
    const now = new Date('2026-04-01T00:00:00Z');
    const first = await enqueueJob(t.db, types, { type: 'test.noop', dedupKey: 'k2' }, { now });
    const again = await enqueueJob(t.db, types, { type: 'test.noop', dedupKey: 'k2' }, { now });
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    await claimJobs(t.db, { workerId: 'w', limit: 100, leaseMs: 1000, now, types: ['test.noop'] });
    await completeJob(t.db, { id: first.job.id, workerId: 'w', attempt: 1, now });
    const later = await enqueueJob(t.db, types, { type: 'test.noop', dedupKey: 'k2' }, { now });
    expect(later.created).toBe(true);
    expect(later.job.id).not.toBe(first.job.id);
  });

  it('enqueues many in one call, in order, with duplicates inside the batch folded', async () => {
    const res = await enqueueJobs(t.db, types, [
      { type: 'test.noop', payload: { n: 1 } },
      { type: 'test.noop', payload: { n: 2 }, dedupKey: 'batch-dup' },
      { type: 'test.noop', payload: { n: 3 }, dedupKey: 'batch-dup' },
      { type: 'test.other', payload: { n: 4 } },
    ]);
    expect(res.map((r) => r.created)).toEqual([true, true, false, true]);
    expect(res[2].job.id).toBe(res[1].job.id);
    expect(res.map((r) => (r.job.payload as { n: number }).n)).toEqual([1, 2, 2, 4]);
    expect(res[3].job.queue).toBe('other');
  });

  it('rejects an unknown type, a bad payload, a bad priority and an oversized payload, writing nothing', async () => {
    const [before] = await t.db.execute(sql`select count(*)::int as n from jobs`);
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: QueueError) => e.code,
      );
    expect(await code(enqueueJob(t.db, types, { type: 'nope' }))).toBe('unknown_type');
    expect(await code(enqueueJob(t.db, types, { type: 'test.noop', payload: { n: 'x' } }))).toBe('invalid_input');
    expect(await code(enqueueJob(t.db, types, { type: 'test.noop', priority: 5000 }))).toBe('invalid_input');
    expect(await code(enqueueJob(t.db, types, { type: 'test.noop', priority: 'urgent' as never }))).toBe(
      'invalid_input',
    );
    expect(
      await code(enqueueJob(t.db, types, { type: 'test.external', payload: { big: 'x'.repeat(MAX_PAYLOAD_BYTES) } })),
    ).toBe('payload_too_large');
    expect(await code(enqueueJobs(t.db, types, [{ type: 'test.noop' }, { type: 'nope' }]))).toBe('unknown_type');
    const [after] = await t.db.execute(sql`select count(*)::int as n from jobs`);
    expect(after.n).toBe(before.n);
  });

  it("joins the caller's transaction: a rollback leaves no job", async () => {
    const marker = `tx-${Date.now()}`;
    await t.db
      .transaction(async (tx) => {
        await enqueueJob(tx, types, { type: 'test.noop', dedupKey: marker });
        throw new Error('rollback');
      })
      .catch(() => {});
    const [row] = await t.db.execute(sql`select count(*)::int as n from jobs where dedup_key = ${marker}`);
    expect(row.n).toBe(0);
  });

  it('a batch mixing dedup keys, queue defaults and given attempts returns what it made, as stored', async () => {
    await t.db.execute(
      sql`insert into queues (name, default_max_attempts) values ('mixed', 4) on conflict (name) do update set default_max_attempts = 4`,
    );
    const held = await enqueueJob(t.db, types, { type: 'test.noop', queue: 'mixed', dedupKey: 'mixed-held' });
    const results = await enqueueJobs(t.db, types, [
      { type: 'test.noop', queue: 'mixed', payload: { n: 1 } },
      { type: 'test.noop', queue: 'mixed', dedupKey: 'mixed-held', payload: { n: 2 } },
      { type: 'test.noop', queue: 'mixed', dedupKey: 'mixed-new', maxAttempts: 9, payload: { n: 3 } },
      { type: 'test.noop', queue: 'mixed-no-row', payload: { n: 4 } },
      { type: 'test.noop', queue: 'constructor', payload: { n: 5 } },
    ]);
    expect(results.map((r) => r.created)).toEqual([true, false, true, true, true]);
    expect(results[1].job.id).toBe(held.job.id);
    expect(results.map((r) => r.job.maxAttempts)).toEqual([4, 4, 9, 3, 3]);
    for (const r of results) expect(r.job).toEqual(await getJob(t.db, r.job.id));
  });

  it('takes max attempts from the input, else the queue default', async () => {
    await t.db.execute(
      sql`insert into queues (name, default_max_attempts) values ('test', 7) on conflict (name) do update set default_max_attempts = 7`,
    );
    const a = await enqueueJob(t.db, types, { type: 'test.noop' });
    const b = await enqueueJob(t.db, types, { type: 'test.noop', maxAttempts: 2 });
    expect(a.job.maxAttempts).toBe(7);
    expect(b.job.maxAttempts).toBe(2);
  });

  it('a call whose dedup key changes hands and then fails leaves none of its jobs behind', async () => {
    const holder = await enqueueJob(t.db, types, { type: 'test.noop', dedupKey: 'handover', payload: { n: 1 } });
    // The key's holder finishes right after the call's first INSERT (which skips the keyed row), so the
    // call needs a second INSERT for it; that one is refused.
    await t.db.execute(
      sql.raw(`
      create table handover_seen (at timestamptz);
      create function handover_finish() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from new_rows where payload->>'n' = '100') and not exists (select 1 from handover_seen) then
          update jobs set status = 'completed', completed_at = now() where id = '${holder.job.id}';
          insert into handover_seen values (now());
        end if;
        return null;
      end $$;
      create function handover_refuse() returns trigger language plpgsql as $$
      begin
        if new.dedup_key = 'handover' and exists (select 1 from handover_seen) then
          raise exception 'refused on the second try';
        end if;
        return new;
      end $$;
      create trigger handover_finish after insert on jobs referencing new table as new_rows
        for each statement execute function handover_finish();
      create trigger handover_refuse before insert on jobs for each row execute function handover_refuse();`),
    );
    try {
      const call = enqueueJobs(t.db, types, [
        { type: 'test.noop', payload: { n: 100 } },
        { type: 'test.noop', dedupKey: 'handover', payload: { n: 101 } },
      ]);
      await expect(call).rejects.toThrow();
      const [row] = await t.db.execute(
        sql`select count(*)::int as n from jobs where (payload->>'n')::int in (100, 101)`,
      );
      expect(row.n).toBe(0);
    } finally {
      await t.db.execute(
        sql.raw(`
        drop trigger handover_finish on jobs; drop trigger handover_refuse on jobs;
        drop function handover_finish(); drop function handover_refuse(); drop table handover_seen;`),
      );
    }
  });
});
