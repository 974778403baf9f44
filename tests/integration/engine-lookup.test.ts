import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  claimJobs,
  completeJobs,
  countCompletedSince,
  defineJobType,
  enqueueJob,
  enqueueJobs,
  failJob,
  firstJobForCorrelationId,
  firstJobWithMetadataItem,
  getJobStates,
  joinJob,
  latestJobForEntity,
  listOldestJobs,
  pauseJob,
  sampleFinishedDurations,
  sampleRunningTimes,
  sampleWaitingJobs,
  type EnqueueInput,
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

const payloadSchema = z.object({ n: z.number().int().default(0) });
const handle = async () => ({ ok: true });
// Each describe has queues of its own, so the tests share one database without seeing each other's jobs.
const types: JobTypes = {
  'look.a': defineJobType({ queue: 'look', payloadSchema, handle }),
  'look.b': defineJobType({ queue: 'look', payloadSchema, handle }),
  'list.a': defineJobType({ queue: 'list', payloadSchema, handle }),
  'list.b': defineJobType({ queue: 'list', payloadSchema, handle }),
  'stat.a': defineJobType({ queue: 'stat-a', payloadSchema, handle }),
  'stat.b': defineJobType({ queue: 'stat-b', payloadSchema, handle }),
  'fail.a': defineJobType({ queue: 'fail', payloadSchema, handle }),
};
const T0 = new Date('2026-07-01T09:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const enqueue = async (input: Partial<EnqueueInput> & { type: string }, now = T0) =>
  (await enqueueJob(t.db, types, { payload: { n: 0 }, ...input }, { now })).job;

describe('reads by what a workload enqueued with', () => {
  it('finds the newest job of an entity and type, or the newest in one status', async () => {
    const entity = { type: 'app', id: 'app-1' };
    const first = await enqueue({ type: 'look.a', entity }, at(0));
    const [claimed] = await claimJobs(t.db, {
      workerId: 'w',
      limit: 1,
      leaseMs: 60_000,
      now: at(1),
      types: ['look.a'],
    });
    expect(claimed.id).toBe(first.id);
    await completeJobs(t.db, { workerId: 'w', now: at(2), items: [{ id: first.id, attempt: 1, result: {} }] });
    const second = await enqueue({ type: 'look.a', entity }, at(3));
    await enqueue({ type: 'look.b', entity }, at(4)); // another type
    await enqueue({ type: 'look.a', entity: { type: 'app', id: 'app-2' } }, at(5)); // another entity

    const q = { entityType: 'app', entityId: 'app-1', type: 'look.a' };
    expect((await latestJobForEntity(t.db, q))?.id).toBe(second.id);
    expect((await latestJobForEntity(t.db, { ...q, status: 'completed' }))?.id).toBe(first.id);
    expect(await latestJobForEntity(t.db, { ...q, status: 'failed' })).toBeNull();
    expect(await latestJobForEntity(t.db, { ...q, entityType: 'user' })).toBeNull();
  });

  it('finds the first job of a correlation id, and the first whose metadata list holds a value', async () => {
    const first = await enqueue({ type: 'look.a', correlationId: 'req-1', dedupKey: 'look:1' }, at(10));
    await enqueue({ type: 'look.a', correlationId: 'req-1' }, at(11));
    const otherType = await enqueue({ type: 'look.b', correlationId: 'req-2' }, at(12));
    expect((await firstJobForCorrelationId(t.db, { correlationId: 'req-1', type: 'look.a' }))?.id).toBe(first.id);
    expect(await firstJobForCorrelationId(t.db, { correlationId: 'req-2', type: 'look.a' })).toBeNull();
    expect((await firstJobForCorrelationId(t.db, { correlationId: 'req-2', type: 'look.b' }))?.id).toBe(otherType.id);

    await joinJob(t.db, { id: first.id, now: at(13), append: { key: 'request_ids', value: 'req-9' }, actor: 'test' });
    const byItem = { queue: 'look', type: 'look.a', key: 'request_ids', value: 'req-9' };
    expect((await firstJobWithMetadataItem(t.db, byItem))?.id).toBe(first.id);
    // Whole items only: a prefix, another key, another type or queue finds nothing.
    expect(await firstJobWithMetadataItem(t.db, { ...byItem, value: 'req-' })).toBeNull();
    expect(await firstJobWithMetadataItem(t.db, { ...byItem, key: 'other_ids' })).toBeNull();
    expect(await firstJobWithMetadataItem(t.db, { ...byItem, type: 'look.b' })).toBeNull();
    expect(await firstJobWithMetadataItem(t.db, { ...byItem, queue: 'list' })).toBeNull();
  });
});

describe('listOldestJobs', () => {
  it('lists waiting jobs in claim order, any other set in creation order, within the queue, type and stage', async () => {
    const low = await enqueue({ type: 'list.a', priority: 'low', stage: 'scrape' }, at(0));
    const normal = await enqueue({ type: 'list.a', stage: 'scrape' }, at(1));
    const high = await enqueue({ type: 'list.a', priority: 'high', stage: 'nlp' }, at(2));
    const paused = await enqueue({ type: 'list.a', priority: 'critical', stage: 'scrape' }, at(3));
    await pauseJob(t.db, { id: paused.id, now: at(4), actor: 'test' });
    await enqueue({ type: 'list.b' }, at(5)); // another type, same queue
    const base = { queue: 'list', type: 'list.a', stage: null, limit: 10 };
    const ids = async (q: Partial<Parameters<typeof listOldestJobs>[1]>) =>
      (await listOldestJobs(t.db, { ...base, statuses: null, ...q })).map((j) => j.id);

    expect(await ids({ statuses: ['pending', 'paused'] })).toEqual([paused.id, high.id, normal.id, low.id]);
    expect(await ids({ statuses: ['pending'] })).toEqual([high.id, normal.id, low.id]);
    expect(await ids({ statuses: null })).toEqual([low.id, normal.id, high.id, paused.id]);
    expect(await ids({ statuses: ['pending', 'processing'] })).toEqual([low.id, normal.id, high.id]);
    expect(await ids({ statuses: ['pending'], stage: 'scrape' })).toEqual([normal.id, low.id]);
    expect(await ids({ statuses: ['pending'], limit: 2 })).toEqual([high.id, normal.id]);
    expect(await ids({ statuses: ['completed'] })).toEqual([]);
  });
});

describe('getJobStates', () => {
  it('answers the light state of the jobs that exist, and nothing for missing or malformed ids', async () => {
    const job = await enqueue({ type: 'look.b', stage: 'fetch' }, at(20));
    const missing = '00000000-0000-4000-8000-000000000001';
    const states = await getJobStates(t.db, [job.id, missing, 'not-a-uuid']);
    expect(states).toEqual([
      {
        id: job.id,
        type: 'look.b',
        queue: 'look',
        status: 'pending',
        stage: 'fetch',
        progress: null,
        attempts: 0,
        maxAttempts: job.maxAttempts,
        lastError: null,
        runAt: at(20),
        updatedAt: at(20),
      },
    ]);
    expect(await getJobStates(t.db, [])).toEqual([]);
  });
});

describe('statistics from bounded samples', () => {
  it('counts completions of a type since a minute, from the counters', async () => {
    const made = await enqueueJobs(
      t.db,
      types,
      [0, 1, 2].map((n) => ({ type: 'stat.a', payload: { n } })),
      { now: at(0) },
    );
    const claimed = await claimJobs(t.db, { workerId: 'w', limit: 3, leaseMs: 60_000, now: at(1), types: ['stat.a'] });
    expect(claimed).toHaveLength(made.length);
    await completeJobs(t.db, {
      workerId: 'w',
      now: at(90),
      items: claimed.slice(0, 2).map((j) => ({ id: j.id, attempt: 1, result: {} })),
    });
    expect(await countCompletedSince(t.db, { type: 'stat.a', since: T0 })).toBe(2);
    expect(await countCompletedSince(t.db, { type: 'stat.a', since: at(60) })).toBe(2); // the minute of at(90)
    expect(await countCompletedSince(t.db, { type: 'stat.a', since: at(120) })).toBe(0);
    expect(await countCompletedSince(t.db, { type: 'stat.b', since: T0 })).toBe(0);

    // The finished ones ran 89 s; the one still running has run 199 s at at(200).
    expect(await sampleFinishedDurations(t.db, { queues: ['stat-a', 'stat-b'], limit: 10 })).toEqual([
      { queue: 'stat-a', status: 'completed', avgMs: 89_000 },
    ]);
    expect(await sampleRunningTimes(t.db, { queues: ['stat-a', 'stat-b'], limit: 10, now: at(200) })).toEqual([
      { queue: 'stat-a', avgMs: 199_000 },
    ]);
  });

  it('samples at most the limit of waiting jobs per queue, telling retries from first tries', async () => {
    await enqueueJobs(
      t.db,
      types,
      [0, 1, 2, 3].map((n) => ({ type: 'stat.b', payload: { n } })),
      { now: at(0) },
    );
    const [retried] = await claimJobs(t.db, {
      workerId: 'w',
      limit: 1,
      leaseMs: 60_000,
      now: at(1),
      types: ['stat.b'],
    });
    await failJob(t.db, { id: retried.id, workerId: 'w', attempt: 1, error: 'boom', now: at(2) });

    const all = await sampleWaitingJobs(t.db, { queues: ['stat-b', 'nothing-here'], limit: 100 });
    expect(all.sort((a, b) => a.queue.localeCompare(b.queue))).toEqual([
      { queue: 'nothing-here', sampled: 0, retrying: 0 },
      { queue: 'stat-b', sampled: 4, retrying: 1 },
    ]);
    const [bounded] = await sampleWaitingJobs(t.db, { queues: ['stat-b'], limit: 2 });
    expect(bounded.sampled).toBe(2);
    expect(await sampleWaitingJobs(t.db, { queues: [], limit: 2 })).toEqual([]);
  });

  it('averages only the newest finished jobs of each status', async () => {
    // Three failures a queue's sample of one cannot all hold: only the newest one's time counts.
    const made = await enqueueJobs(
      t.db,
      types,
      [0, 1, 2].map((n) => ({ type: 'fail.a', payload: { n } })),
      { now: at(300) },
    );
    const claimed = await claimJobs(t.db, {
      workerId: 'f',
      limit: 3,
      leaseMs: 600_000,
      now: at(301),
      types: ['fail.a'],
    });
    expect(claimed.map((j) => j.id).sort()).toEqual(made.map((r) => r.job.id).sort());
    const byId = [...claimed].sort((a, b) => a.id.localeCompare(b.id));
    for (const [i, j] of byId.entries()) {
      await failJob(t.db, {
        id: j.id,
        workerId: 'f',
        attempt: 1,
        error: 'gone',
        now: at(302 + i * 10),
        permanent: true,
      });
    }
    const newest = await sampleFinishedDurations(t.db, { queues: ['fail'], limit: 1 });
    expect(newest).toEqual([{ queue: 'fail', status: 'failed', avgMs: 21_000 }]);
    const every = await sampleFinishedDurations(t.db, { queues: ['fail'], limit: 3 });
    expect(every).toEqual([{ queue: 'fail', status: 'failed', avgMs: 11_000 }]);
  });
});
