import { sql } from 'drizzle-orm';
import { rows, ts, writeHistory } from './sql';
import { toJob } from './rows';
import { assertJobId } from './guard';
import type { Db, Job } from './types';

export interface JoinOptions {
  id: string;
  now: Date;
  /** Only while waiting: the job's priority becomes at most this (lower runs first). */
  raisePriorityTo?: number;
  /** Appends `value` to the array `metadata[key]` (created when absent). */
  append?: { key: string; value: string };
  actor?: string;
  message?: string;
}

/**
 * Another request joins an unfinished job instead of making a second one (a workload's dedup): one
 * guarded statement records it on the job (metadata), raises a waiting job's priority, and writes a
 * history row (its status unchanged). Null when the job is already finished: the caller makes a new one.
 */
export async function joinJob(db: Db, opts: JoinOptions): Promise<Job | null> {
  assertJobId(opts.id);
  const p = opts.raisePriorityTo ?? null;
  const key = opts.append?.key ?? null;
  const value = opts.append?.value ?? null;
  const [row] = await rows(
    db,
    sql`
    with target as (
      select id, status as from_status from jobs
      where id = ${opts.id} and status in ('pending', 'paused', 'processing')
      for update
    ),
    changed as (
      update jobs j
      set priority = case when j.status <> 'processing' and ${p}::int is not null then least(j.priority, ${p}::int) else j.priority end,
          metadata = case when ${key}::text is null then j.metadata
                          else jsonb_set(j.metadata, array[${key}::text],
                                         coalesce(j.metadata -> ${key}::text, '[]'::jsonb) || jsonb_build_array(${value}::text)) end,
          updated_at = ${ts(opts.now)}
      from target where j.id = target.id
      returning j.*, target.from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.actor ?? null}`, sql`${opts.message ?? null}`)})
    select * from changed`,
  );
  return row ? toJob(row) : null;
}
