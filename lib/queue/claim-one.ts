import { sql } from 'drizzle-orm';
import { rows, textArray, ts, writeHistory } from './sql';
import { toJob } from './rows';
import { assertJobId } from './guard';
import { MOVES } from './moves';
import type { Db, Job } from './types';

const GUARD = MOVES.claimOne.guard('status');

export interface ClaimOneOptions {
  id: string;
  workerId: string;
  leaseMs: number;
  now: Date;
  /** Only while the job is at this stage. */
  stage?: string;
  types?: readonly string[];
  /** Claim before its runAt: an explicit "run this one now". */
  ignoreRunAt?: boolean;
}

/**
 * Claims one named job, with the same lease and history as claimJobs. Null when it is not claimable
 * now: already taken, finished, paused, not yet due, in a paused queue, or locked by a concurrent
 * claim (SKIP LOCKED: a caller asking for this id never waits behind a batch that is taking it).
 */
export async function claimJobById(db: Db, opts: ClaimOneOptions): Promise<Job | null> {
  assertJobId(opts.id);
  const leaseEnd = new Date(opts.now.getTime() + opts.leaseMs);
  const due = opts.ignoreRunAt ? sql`` : sql`and run_at <= ${ts(opts.now)}`;
  const stageFilter = opts.stage !== undefined ? sql`and stage = ${opts.stage}` : sql``;
  const typeFilter = opts.types ? sql`and type = any(${textArray(opts.types)})` : sql``;
  const [row] = await rows(
    db,
    sql`
    with due as (
      select id from jobs
      where id = ${opts.id} and ${GUARD} ${due}
        and queue <> all(array(select name from queues where paused))
        ${stageFilter} ${typeFilter}
      for update skip locked
    ),
    changed as (
      update jobs j
      set status = 'processing', attempts = j.attempts + 1, locked_by = ${opts.workerId},
          locked_until = ${ts(leaseEnd)}, started_at = ${ts(opts.now)}, updated_at = ${ts(opts.now)},
          progress = null
      from due where j.id = due.id
      returning j.*, 'pending'::job_status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.workerId}`, sql`null`)})
    select * from changed`,
  );
  return row ? toJob(row) : null;
}
