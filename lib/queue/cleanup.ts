import { sql } from 'drizzle-orm';
import { rows, ts } from './sql';
import { compactStats } from './stats';
import type { Db } from './types';

export interface CleanupResult {
  deleted: { completed: number; failed: number; cancelled: number };
  events: number;
  batches: number;
  done: boolean;
}

/**
 * Deletes finished jobs (and their history) that finished before `olderThan`, in batches of
 * `batchSize` so no statement holds many locks or bloats one transaction. SKIP LOCKED lets it run
 * beside live work; `maxBatches` bounds one call, and `done` says whether anything is left.
 */
export async function cleanupOldJobs(
  db: Db,
  opts: { olderThan: Date; now: Date; batchSize?: number; maxBatches?: number },
): Promise<CleanupResult> {
  const batchSize = Math.min(Math.max(opts.batchSize ?? 1000, 1), 10_000);
  const maxBatches = Math.max(opts.maxBatches ?? 50, 1);
  const result: CleanupResult = {
    deleted: { completed: 0, failed: 0, cancelled: 0 },
    events: 0,
    batches: 0,
    done: false,
  };
  while (result.batches < maxBatches) {
    const [r] = await rows(
      db,
      sql`
      with doomed as (
        select id from jobs
        where created_at < ${ts(opts.olderThan)} and completed_at < ${ts(opts.olderThan)}
          and status in ('completed', 'failed', 'cancelled')
        order by id
        limit ${batchSize}
        for update skip locked
      ),
      history as (delete from job_events e using doomed where e.job_id = doomed.id returning 1),
      removed as (delete from jobs j using doomed where j.id = doomed.id returning j.status)
      select count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status = 'failed')::int as failed,
             count(*) filter (where status = 'cancelled')::int as cancelled,
             (select count(*) from history)::int as events
      from removed`,
    );
    result.batches++;
    const n = Number(r.completed) + Number(r.failed) + Number(r.cancelled);
    result.deleted.completed += Number(r.completed);
    result.deleted.failed += Number(r.failed);
    result.deleted.cancelled += Number(r.cancelled);
    result.events += Number(r.events);
    if (n < batchSize) {
      result.done = true;
      break;
    }
  }
  await compactStats(db, { now: opts.now });
  return result;
}
