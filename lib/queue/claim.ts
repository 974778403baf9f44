import { sql } from 'drizzle-orm';
import { isTransaction, rowValues, textArray, ts, writeHistory } from './sql';
import { RESCUE_LIMIT, rescueCtes } from './lease';
import { AFTER_CLAIMED, CLAIMED_COLUMNS, toClaimedJob } from './rows';
import { MOVES } from './moves';
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
// steady_claimable picks only pending rows; the UPDATE holds the table's guard too, so the claim's move
// is checked where it is written. As text, as in completeJobs: the planner stays on the primary key.
const GUARD = MOVES.claim.guard('j.status::text');

/**
 * One statement: pick, lock, lease and record history for up to `limit` due jobs.
 * SKIP LOCKED (inside steady_claimable, lib/queue/sql/claimable.sql) lets overlapping cron ticks and workers split
 * the due rows instead of queueing on them. That function always walks jobs_claim_idx in claim order
 * and stops at the limit, whatever the statistics say: a sort over the whole backlog once looked
 * cheaper to the planner right after a large fan-out. The UPDATE finds its rows through the primary
 * key (`= any(array(…))`): a join let the planner hash the whole table.
 *
 * The claim commits without waiting for its WAL flush (synchronous_commit off for this statement's
 * transaction only; inside a caller's transaction it leaves the setting alone). A claim lost to a server
 * crash leaves its jobs pending, to be claimed again: the same at-least-once re-run a lost lease gives,
 * and the first durable write after it (the handler's own, or the completion) flushes it anyway.
 * Completions, failures and enqueues stay durable.
 */
export async function claimJobs(db: Db, opts: ClaimOptions): Promise<Job[]> {
  return (await claim(db, opts, false)).jobs;
}

/**
 * Rescues expired leases (as rescueExpiredLeases) and claims, in one statement: a cron-called batch
 * does both first thing, and one round trip and one statement fewer per call is a tenth of a 100-job
 * call's database work. Rescued jobs are pending again but not claimed by this statement (it sees the
 * rows as they were when it started); the next claim takes them.
 */
export async function rescueAndClaimJobs(db: Db, opts: ClaimOptions): Promise<{ jobs: Job[]; rescued: number }> {
  return claim(db, opts, true);
}

async function claim(db: Db, opts: ClaimOptions, rescue: boolean): Promise<{ jobs: Job[]; rescued: number }> {
  const limit = Math.min(Math.floor(opts.limit), MAX_LIMIT);
  if (limit < 1 && !rescue) return { jobs: [], rescued: 0 };
  const leaseEnd = new Date(opts.now.getTime() + opts.leaseMs);
  const types = opts.types ? textArray(opts.types) : sql`null::text[]`;
  const queues = opts.queues ? textArray(opts.queues) : sql`null::text[]`;
  const worker = sql`${opts.workerId}`;
  // Only a claim that is its own transaction commits asynchronously: inside a caller's transaction the
  // setting would also cover the caller's own writes.
  const asyncCommit = isTransaction(db)
    ? sql``
    : sql`from (select set_config('synchronous_commit', 'off', true)) async_commit`;
  const found = await rowValues(
    db,
    sql`
    with ${rescue ? sql`${rescueCtes(opts.now, RESCUE_LIMIT)},` : sql``}
    due as (
      select steady_claimable(${ts(opts.now)}, ${Math.max(limit, 0)}::int, ${types}, ${queues}, ${opts.stage ?? null}::text) as id
      ${asyncCommit}
    ),
    claimed as (
      update jobs j
      set status = 'processing', attempts = j.attempts + 1, locked_by = ${opts.workerId},
          locked_until = ${ts(leaseEnd)}, started_at = ${ts(opts.now)}, updated_at = ${ts(opts.now)},
          progress = null
      where j.id = any(array(select id from due)) and ${GUARD}
      returning j.*, 'pending'::job_status as from_status, null::text as lost_worker
    ),
    changed as (
      select * from claimed${rescue ? sql` union all select * from rescued` : sql``}
    ),
    -- A rescued row's event names the worker that lost it, as rescueExpiredLeases writes it.
    history as (${writeHistory(
      opts.now,
      sql`case when from_status = 'processing' then lost_worker else ${worker} end`,
      sql`case when from_status = 'processing' then last_error end`,
    )})
    select ${CLAIMED_COLUMNS}, from_status = 'processing' as was_rescued from changed
    order by priority, coalesce(turn_at, run_at), id`,
  );
  const claimed = { workerId: opts.workerId, leaseEnd, now: opts.now };
  const jobs = found.filter((v) => v[AFTER_CLAIMED] !== true).map((v) => toClaimedJob(v, claimed));
  return { jobs, rescued: found.length - jobs.length };
}
