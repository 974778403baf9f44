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

/**
 * One statement: pick, lock, lease and record history for up to `limit` due jobs.
 * SKIP LOCKED lets overlapping cron ticks and workers split the due rows instead of queueing on them;
 * the CTE with LIMIT is a fence so the planner cannot update more rows than it locked.
 * Paused queues are read once (an InitPlan), not probed per candidate row.
 */
export async function claimJobs(db: Db, opts: ClaimOptions): Promise<Job[]> {
  if (opts.limit < 1) return [];
  const leaseEnd = new Date(opts.now.getTime() + opts.leaseMs);
  const typeFilter = opts.types ? sql`and type = any(${textArray(opts.types)})` : sql``;
  const queueFilter = opts.queues ? sql`and queue = any(${textArray(opts.queues)})` : sql``;
  const stageFilter = opts.stage !== undefined ? sql`and stage = ${opts.stage}` : sql``;
  const claimed = await rows(
    db,
    sql`
    with due as (
      select id from jobs
      where status = 'pending' and run_at <= ${ts(opts.now)}
        and queue <> all(array(select name from queues where paused))
        ${typeFilter} ${queueFilter} ${stageFilter}
      order by priority, run_at, id
      limit ${opts.limit}
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
    select * from changed
    order by priority, run_at, id`,
  );
  return claimed.map(toJob);
}
