import { sql } from 'drizzle-orm';
import { rows, textArray, ts, writeHistory } from './sql';
import { toJob } from './rows';
import type { Db, Job } from './types';

export interface ClaimOptions {
  workerId: string;
  limit: number;
  leaseMs: number;
  now: Date;
  /** Only these job types (the ones this worker has handlers for). */
  types?: readonly string[];
  queues?: readonly string[];
  stage?: string;
}

const MAX_LIMIT = 1000;

/**
 * One statement: pick, lock, lease and record history for up to `limit` due jobs.
 * SKIP LOCKED (inside steady_claimable, migration 0005) lets overlapping cron ticks and workers split
 * the due rows instead of queueing on them. That function always walks jobs_claim_idx in claim order
 * and stops at the limit, whatever the statistics say: a sort over the whole backlog once looked
 * cheaper to the planner right after a large fan-out. The UPDATE finds its rows through the primary
 * key (`= any(array(…))`): a join let the planner hash the whole table.
 *
 * The claim commits without waiting for its WAL flush (synchronous_commit off for this statement's
 * transaction only; when called inside a caller's transaction, for that one). A claim lost to a server
 * crash leaves its jobs pending, to be claimed again: the same at-least-once re-run a lost lease gives,
 * and the first durable write after it (the handler's own, or the completion) flushes it anyway.
 * Completions, failures and enqueues stay durable.
 */
export async function claimJobs(db: Db, opts: ClaimOptions): Promise<Job[]> {
  if (opts.limit < 1) return [];
  const limit = Math.min(Math.floor(opts.limit), MAX_LIMIT);
  const leaseEnd = new Date(opts.now.getTime() + opts.leaseMs);
  const types = opts.types ? textArray(opts.types) : sql`null::text[]`;
  const queues = opts.queues ? textArray(opts.queues) : sql`null::text[]`;
  const claimed = await rows(
    db,
    sql`
    with due as (
      select steady_claimable(${ts(opts.now)}, ${limit}::int, ${types}, ${queues}, ${opts.stage ?? null}::text) as id
      from (select set_config('synchronous_commit', 'off', true)) async_commit
    ),
    changed as (
      update jobs j
      set status = 'processing', attempts = j.attempts + 1, locked_by = ${opts.workerId},
          locked_until = ${ts(leaseEnd)}, started_at = ${ts(opts.now)}, updated_at = ${ts(opts.now)},
          progress = null
      where j.id = any(array(select id from due))
      returning j.*, 'pending'::job_status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.workerId}`, sql`null`)})
    select * from changed
    order by priority, run_at, id`,
  );
  return claimed.map(toJob);
}
