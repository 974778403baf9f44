import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  advanceStage,
  cancelJob,
  cancelJobs,
  claimJobById,
  claimJobs,
  completeJobs,
  deferJob,
  failJob,
  pauseJob,
  releaseJobs,
  rescueExpiredLeases,
  resumeJob,
  retryJobs,
  JOB_STATUSES,
  type JobStatus,
} from '@/lib/queue';
import { MOVES } from '@/lib/queue/moves';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ max: 2 });
});
afterAll(async () => {
  await t.close();
});

const now = new Date('2026-03-01T12:00:00Z');
const type = 'moves-test';
const ignore = (p: Promise<unknown>) =>
  p.then(
    () => {},
    () => {},
  );

/**
 * One job in every status, each with everything else a statement checks in its favour (held by worker
 * `w` at attempt 1, due, at stage `a`, its lease run out), so only the status guard decides.
 */
async function jobInEveryStatus(): Promise<Map<string, JobStatus>> {
  await t.db.execute(sql`delete from jobs`);
  const ids = new Map<string, JobStatus>();
  for (const status of JOB_STATUSES) {
    const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
    const [row] = (await t.db.execute(sql`
      insert into jobs (queue, type, status, stage, attempts, max_attempts, locked_by, locked_until, started_at,
                        completed_at, run_at, created_at, updated_at)
      values ('moves', ${type}, ${status}::job_status, 'a', 1, 3, 'w', ${new Date(now.getTime() - 1000).toISOString()}::timestamptz,
              ${new Date(now.getTime() - 60_000).toISOString()}::timestamptz,
              ${finished ? new Date(now.getTime() - 30_000).toISOString() : null}::timestamptz,
              ${new Date(now.getTime() - 120_000).toISOString()}::timestamptz,
              ${new Date(now.getTime() - 120_000).toISOString()}::timestamptz, ${new Date(now.getTime() - 60_000).toISOString()}::timestamptz)
      returning id`)) as unknown as { id: string }[];
    ids.set(row.id, status);
  }
  return ids;
}

/** The statuses whose job the statement moved. */
async function movedFrom(run: (ids: string[]) => Promise<unknown>): Promise<JobStatus[]> {
  const before = await jobInEveryStatus();
  await run([...before.keys()]);
  const after = await t.db.execute<{ id: string; status: JobStatus }>(sql`select id, status from jobs`);
  return after
    .filter((r) => r.status !== before.get(r.id))
    .map((r) => before.get(r.id)!)
    .sort();
}

const each = (fn: (id: string) => Promise<unknown>) => async (ids: string[]) => {
  for (const id of ids) await ignore(fn(id));
};

const STATEMENTS: {
  name: string;
  move: (typeof MOVES)[keyof typeof MOVES];
  run: (ids: string[]) => Promise<unknown>;
}[] = [
  {
    name: 'claimJobs',
    move: MOVES.claim,
    run: () => claimJobs(t.db, { workerId: 'w2', limit: 10, leaseMs: 60_000, now, types: [type] }),
  },
  {
    name: 'claimJobById',
    move: MOVES.claimOne,
    run: each((id) => claimJobById(t.db, { id, workerId: 'w2', leaseMs: 60_000, now, ignoreRunAt: true })),
  },
  {
    name: 'completeJobs',
    move: MOVES.complete,
    run: (ids) => completeJobs(t.db, { workerId: 'w', now, items: ids.map((id) => ({ id, attempt: 1 })) }),
  },
  {
    name: 'failJob',
    move: MOVES.fail,
    run: each((id) => failJob(t.db, { id, workerId: 'w', attempt: 1, error: 'x', now })),
  },
  {
    name: 'deferJob',
    move: MOVES.defer,
    run: each((id) => deferJob(t.db, { id, workerId: 'w', attempt: 1, provider: 'p', retryAfterSec: 10, now })),
  },
  { name: 'rescueExpiredLeases', move: MOVES.rescue, run: () => rescueExpiredLeases(t.db, { now }) },
  {
    name: 'releaseJobs',
    move: MOVES.release,
    run: (ids) => releaseJobs(t.db, { workerId: 'w', items: ids.map((id) => ({ id, attempt: 1 })), now }),
  },
  { name: 'advanceStage', move: MOVES.advance, run: each((id) => advanceStage(t.db, { id, from: 'a', to: 'b', now })) },
  {
    name: 'advanceStage (finish)',
    move: MOVES.advance,
    run: each((id) => advanceStage(t.db, { id, from: 'a', to: 'b', finish: true, now })),
  },
  // Asked for every status: the table's guard, not the caller's list, decides.
  {
    name: 'retryJobs',
    move: MOVES.retry,
    run: (ids) => retryJobs(t.db, { ids, statuses: [...JOB_STATUSES] as ('failed' | 'cancelled')[] }, { now }),
  },
  { name: 'cancelJob', move: MOVES.cancel, run: each((id) => cancelJob(t.db, { id, now })) },
  { name: 'cancelJobs', move: MOVES.cancel, run: (ids) => cancelJobs(t.db, { ids, now }) },
  { name: 'pauseJob', move: MOVES.pause, run: each((id) => pauseJob(t.db, { id, now })) },
  { name: 'resumeJob', move: MOVES.resume, run: each((id) => resumeJob(t.db, { id, now })) },
];

describe('every status-changing statement moves exactly the statuses the transition table allows it', () => {
  it('covers every move', () => {
    expect(new Set(STATEMENTS.map((s) => s.move))).toEqual(new Set(Object.values(MOVES)));
  });

  for (const s of STATEMENTS) {
    it(`${s.name}: from ${s.move.from.join(', ')}`, async () => {
      expect(await movedFrom(s.run)).toEqual([...s.move.from].sort());
    });
  }
});
