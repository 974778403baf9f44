import { sql } from 'drizzle-orm';
import { rows, sameRun, ts, writeHistory } from './sql';
import { toJob } from './rows';
import { DEFAULT_BACKOFF, nextRunAt, type BackoffPolicy } from './backoff';
import { assertJobId, explainMiss } from './guard';
import { MOVES } from './moves';
import { PRIORITY_MAX, type Db, type Job } from './types';

export interface FailOptions {
  id: string;
  workerId: string;
  attempt: number;
  error: string;
  now: Date;
  /** The claimed job's startedAt: only that claim's run may write this outcome (see Completion). */
  startedAt?: Date | null;
  policy?: BackoffPolicy;
  /** No retry whatever attempts remain (bad input, unknown account). */
  permanent?: boolean;
  random?: () => number;
}

const MAX_ERROR_LENGTH = 2000;
const GUARD = MOVES.fail.guard('j.status');

/**
 * Records a failed attempt: back to pending at the backoff time while attempts remain, otherwise
 * failed for good. Guarded like completion, so the final state is written once, by the lease holder.
 */
export async function failJob(db: Db, opts: FailOptions): Promise<Job> {
  assertJobId(opts.id);
  const policy = opts.policy ?? DEFAULT_BACKOFF;
  const retryAt = nextRunAt(opts.attempt, opts.now, policy, opts.random);
  const error = opts.error.slice(0, MAX_ERROR_LENGTH);
  const giveUp = sql`(${opts.permanent === true} or j.attempts >= j.max_attempts)`;
  const [row] = await rows(
    db,
    sql`
    with changed as (
      update jobs j
      set status = case when ${giveUp} then 'failed'::job_status else 'pending'::job_status end,
          run_at = case when ${giveUp} then j.run_at else ${ts(retryAt)} end,
          priority = case when ${giveUp} then j.priority
                          else least(${PRIORITY_MAX}, j.priority + ${policy.priorityStep}) end,
          completed_at = case when ${giveUp} then ${ts(opts.now)} end,
          duration_ms = case when ${giveUp}
            then greatest(0, round(extract(epoch from (${ts(opts.now)} - j.started_at)) * 1000))::int end,
          last_error = ${error}, locked_by = null, locked_until = null, updated_at = ${ts(opts.now)}
      where j.id = ${opts.id} and ${GUARD} and j.locked_by = ${opts.workerId}
        and j.attempts = ${opts.attempt} ${sameRun(opts.startedAt)}
      returning j.*, 'processing'::job_status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.workerId}`, sql`${error}`)})
    select * from changed`,
  );
  if (!row) throw await explainMiss(db, opts.id, 'failed', opts.workerId);
  return toJob(row);
}
