import { sql } from 'drizzle-orm';
import { rows, textArray, ts, uuidArray, writeHistory } from './sql';
import { toJob } from './rows';
import { assertJobId, explainMiss } from './guard';
import { MOVES } from './moves';
import { QueueError, type Db, type Job } from './types';

const GUARD = MOVES.retry.guard('j.status');

export interface RetryFilter {
  ids?: string[];
  queue?: string;
  type?: string;
  /** Which finished states to restart; failed only unless asked. */
  statuses?: ('failed' | 'cancelled')[];
  limit?: number;
}

/**
 * Restarts failed (or cancelled) jobs with a fresh attempt budget. A job whose dedup key has meanwhile
 * been taken by an unfinished job is left alone: running both would do the same work twice.
 */
export async function retryJobs(db: Db, filter: RetryFilter, opts: { now: Date; actor?: string }): Promise<Job[]> {
  // A caller's list only narrows the table's: a status it does not allow to restart matches nothing.
  const statuses = (filter.statuses ?? ['failed']).filter((s) => MOVES.retry.from.includes(s));
  const byIds = filter.ids ? sql`and j.id = any(${uuidArray(filter.ids)})` : sql``;
  const byQueue = filter.queue ? sql`and j.queue = ${filter.queue}` : sql``;
  const byType = filter.type ? sql`and j.type = ${filter.type}` : sql``;
  const restarted = await rows(
    db,
    sql`
    with candidates as (
      select distinct on (coalesce(j.dedup_key, j.id::text)) j.id, j.status as from_status
      from jobs j
      where j.status = any(${textArray(statuses)}::job_status[]) ${byIds} ${byQueue} ${byType}
        and (j.dedup_key is null or not exists (
          select 1 from jobs o where o.dedup_key = j.dedup_key and o.status in ('pending', 'processing', 'paused')))
      order by coalesce(j.dedup_key, j.id::text), j.created_at desc
      limit ${Math.min(filter.limit ?? 1000, 10_000)}
    ),
    target as (
      select j.id, c.from_status from jobs j join candidates c on c.id = j.id
      where j.status = c.from_status and ${GUARD}
      for update of j skip locked
    ),
    changed as (
      update jobs j
      set status = 'pending', attempts = 0, deferrals = 0, run_at = ${ts(opts.now)}, completed_at = null,
          duration_ms = null, locked_by = null, locked_until = null, updated_at = ${ts(opts.now)}
      from target where j.id = target.id
      returning j.*, target.from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.actor ?? null}`, sql`'Retried'`)})
    select * from changed`,
  );
  return restarted.map(toJob);
}

export async function retryJob(db: Db, opts: { id: string; now: Date; actor?: string }): Promise<Job> {
  assertJobId(opts.id);
  const [job] = await retryJobs(db, { ids: [opts.id], statuses: ['failed', 'cancelled'] }, opts);
  if (job) return job;
  const [row] = await rows(db, sql`select status, dedup_key from jobs where id = ${opts.id}`);
  if (row && (row.status === 'failed' || row.status === 'cancelled')) {
    throw new QueueError('conflict', `Another job with key ${String(row.dedup_key)} is already queued`);
  }
  throw await explainMiss(db, opts.id, 'pending');
}
