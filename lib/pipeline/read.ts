import { sql } from 'drizzle-orm';
import type { Db, Job, JobStatus } from '@/lib/queue';
import { rows, textArray, ts } from '@/lib/queue/sql';
import { toJob } from '@/lib/queue/rows';
import { PIPELINE_QUEUE, PIPELINE_TYPE } from './vocabulary';

// Bounded reads for the pipeline's views. Each is a LIMITed walk of an existing index:
// jobs_entity_idx for one app, the primary key or jobs_browse_queue_idx for the lists, minute buckets for today.

export const APP_ENTITY = 'app';

export async function findAppJob(db: Db, appId: string, which: 'latest' | 'completed'): Promise<Job | null> {
  const completed = which === 'completed' ? sql`and status = 'completed'` : sql``;
  const [row] = await rows(
    db,
    sql`select * from jobs
        where entity_type = ${APP_ENTITY} and entity_id = ${appId} and type = ${PIPELINE_TYPE} ${completed}
        order by id desc limit 1`,
  );
  return row ? toJob(row) : null;
}

/** Oldest first, as the reference's poll promises: the claim order for waiting jobs, creation order otherwise. */
export async function listPipelineJobs(
  db: Db,
  opts: { statuses: JobStatus[] | null; stage: string | null; limit: number },
): Promise<Job[]> {
  const byStatus = opts.statuses ? sql`and status = any(${textArray(opts.statuses)}::job_status[])` : sql``;
  const byStage = opts.stage ? sql`and stage = ${opts.stage}` : sql``;
  const waiting = opts.statuses?.every((s) => s === 'pending' || s === 'paused');
  const order = waiting ? sql`priority, run_at, id` : sql`id`;
  const found = await rows(
    db,
    sql`select * from jobs where queue = ${PIPELINE_QUEUE} and type = ${PIPELINE_TYPE} ${byStatus} ${byStage}
        order by ${order} limit ${opts.limit}`,
  );
  return found.map(toJob);
}

export async function countCompletedSince(db: Db, since: Date): Promise<number> {
  const [r] = await rows(
    db,
    sql`select coalesce(sum(completed), 0)::int as n from job_minute_stats
        where type = ${PIPELINE_TYPE} and minute >= ${ts(since)}`,
  );
  return Number(r.n);
}
