import { sql } from 'drizzle-orm';
import { rows, ts, writeHistory } from './sql';
import { toJob } from './rows';
import { MOVES } from './moves';
import { isUuid, type Db, type Job } from './types';

const RESCUE_GUARD = MOVES.rescue.guard('status');
// status::text keeps the planner on the primary key, as in completeJobs
const RELEASE_GUARD = MOVES.release.guard('j.status::text');

/** Heartbeat: pushes the lease forward while the holder still holds it. False when it was lost. */
export async function extendLease(
  db: Db,
  opts: { id: string; workerId: string; attempt: number; leaseMs: number; now: Date },
): Promise<boolean> {
  if (!isUuid(opts.id)) return false;
  const until = new Date(opts.now.getTime() + opts.leaseMs);
  const changed = await rows(
    db,
    sql`update jobs set locked_until = ${ts(until)}, updated_at = ${ts(opts.now)}
        where id = ${opts.id} and status = 'processing' and locked_by = ${opts.workerId}
          and attempts = ${opts.attempt}
        returning id`,
  );
  return changed.length === 1;
}

/** How a rescued job's last error begins; workloads translate it for their callers (isLeaseExpiry). */
export const LEASE_EXPIRED = 'Lease expired';
export const isLeaseExpiry = (error: string | null | undefined): boolean => !!error?.startsWith(LEASE_EXPIRED);
const LEASE_EXPIRED_NOTE = sql.raw(`'${LEASE_EXPIRED}: worker '`);

/**
 * The CTEs `expired` and `rescued` (j.*, from_status, lost_worker): up to `limit` leases that ended
 * before `now`, put back. Shared by rescueExpiredLeases and rescueAndClaimJobs.
 */
export const rescueCtes = (now: Date, limit: number) => sql`
    expired as (
      select id, locked_by from jobs
      where ${RESCUE_GUARD} and locked_until < ${ts(now)}
      order by locked_until
      limit ${limit}
      for update skip locked
    ),
    rescued as (
      update jobs j
      set status = case when j.attempts >= j.max_attempts then 'failed'::job_status else 'pending'::job_status end,
          completed_at = case when j.attempts >= j.max_attempts then ${ts(now)} end,
          run_at = ${ts(now)},
          last_error = ${LEASE_EXPIRED_NOTE} || coalesce(expired.locked_by, '?') || ' stopped answering',
          locked_by = null, locked_until = null, updated_at = ${ts(now)}
      from expired where j.id = expired.id
      returning j.*, 'processing'::job_status as from_status, expired.locked_by as lost_worker
    )`;

/** Expired leases put back per statement, unless the caller says otherwise. */
export const RESCUE_LIMIT = 500;

/**
 * A serverless function can die mid-job and never say so: once its lease has passed, the job goes back
 * to pending (the attempt it spent stays counted) or, with no attempts left, to failed.
 * SKIP LOCKED so two batches starting together rescue disjoint rows.
 */
export async function rescueExpiredLeases(db: Db, opts: { now: Date; limit?: number }): Promise<Job[]> {
  const rescued = await rows(
    db,
    sql`
    with ${rescueCtes(opts.now, opts.limit ?? RESCUE_LIMIT)},
    changed as (select * from rescued),
    history as (${writeHistory(opts.now, sql`lost_worker`, sql`last_error`)})
    select * from rescued`,
  );
  return rescued.map(toJob);
}

/** Graceful shutdown: hand unfinished claims back without spending their attempt. */
export async function releaseJobs(
  db: Db,
  opts: { workerId: string; items: { id: string; attempt: number }[]; now: Date },
): Promise<number> {
  if (opts.items.length === 0) return 0;
  const released = await rows(
    db,
    sql`
    with input as (select * from jsonb_to_recordset(${JSON.stringify(opts.items)}::jsonb) as x(id uuid, attempt int)),
    changed as (
      update jobs j
      set status = 'pending', attempts = j.attempts - 1, run_at = ${ts(opts.now)},
          locked_by = null, locked_until = null, updated_at = ${ts(opts.now)}
      from input
      where j.id = input.id and ${RELEASE_GUARD} and j.locked_by = ${opts.workerId}
        and j.attempts = input.attempt
      returning j.*, 'processing'::job_status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.workerId}`, sql`'Released on shutdown'`)})
    select id from changed`,
  );
  return released.length;
}
