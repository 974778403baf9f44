import { sql } from 'drizzle-orm';
import { rows, ts } from './sql';
import { toJob } from './rows';
import { assertJobId, explainMiss } from './guard';
import type { Db, Job } from './types';

/**
 * Records a progress step and/or moves a job to another stage. A stage change is history; a progress
 * step is not (it would flood the timeline). With `workerId`, only the lease holder may write.
 */
export async function updateJobProgress(
  db: Db,
  opts: { id: string; now: Date; progress?: string | null; stage?: string | null; workerId?: string; message?: string },
): Promise<Job> {
  assertJobId(opts.id);
  const holder = opts.workerId !== undefined ? sql`and j.locked_by = ${opts.workerId}` : sql``;
  const setStage = opts.stage !== undefined;
  const [row] = await rows(
    db,
    sql`
    with target as (select id, status, stage from jobs where id = ${opts.id} for update),
    changed as (
      update jobs j
      set progress = ${opts.progress !== undefined ? sql`${opts.progress}` : sql`j.progress`},
          stage = ${setStage ? sql`${opts.stage}` : sql`j.stage`},
          updated_at = ${ts(opts.now)}
      from target where j.id = target.id ${holder}
      returning j.*, target.status as from_status, target.stage is distinct from j.stage as stage_changed
    ),
    history as (
      insert into job_events (job_id, at, from_status, to_status, stage, attempt, worker, message)
      select id, ${ts(opts.now)}, from_status, status, stage, attempts, ${opts.workerId ?? null}, ${opts.message ?? null}
      from changed where stage_changed
    )
    select * from changed`,
  );
  if (!row) throw await explainMiss(db, opts.id, 'processing', opts.workerId);
  return toJob(row);
}
