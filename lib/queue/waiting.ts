import { sql } from 'drizzle-orm';
import { rows, textArray, ts, writeHistory } from './sql';
import { toJob } from './rows';
import { assertJobId } from './guard';
import type { Db, Job } from './types';

export interface WaitingChange {
  payload?: unknown;
  priority?: number;
  runAt?: Date;
  maxAttempts?: number;
  entityId?: string | null;
  entityType?: string | null;
}

/**
 * Changes a waiting (pending or paused) job's fields and writes the change to its history, in one
 * statement. Null when the job is not waiting (or does not exist): a running job's fields stay as it
 * ran. Fields left undefined keep their value.
 */
export async function updateWaitingJob(
  db: Db,
  opts: { id: string; change: WaitingChange; now: Date; actor?: string },
): Promise<Job | null> {
  assertJobId(opts.id);
  const c = opts.change;
  const keep = (col: string) => sql.raw(`j.${col}`);
  const changed = Object.entries(c)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  const [row] = await rows(
    db,
    sql`
    with changed as (
      update jobs j set
        payload = ${c.payload === undefined ? keep('payload') : sql`${JSON.stringify(c.payload)}::jsonb`},
        priority = ${c.priority === undefined ? keep('priority') : sql`${c.priority}::int`},
        run_at = ${c.runAt === undefined ? keep('run_at') : ts(c.runAt)},
        max_attempts = ${c.maxAttempts === undefined ? keep('max_attempts') : sql`${c.maxAttempts}::int`},
        entity_id = ${c.entityId === undefined ? keep('entity_id') : sql`${c.entityId}`},
        entity_type = ${c.entityType === undefined ? keep('entity_type') : sql`${c.entityType}`},
        updated_at = ${ts(opts.now)}
      where j.id = ${opts.id} and j.status in ('pending', 'paused')
      returning j.*, j.status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.actor ?? null}`, sql`${`Updated ${changed.join(', ')}`}`)})
    select * from changed`,
  );
  return row ? toJob(row) : null;
}

/**
 * Moves a waiting job's run time to at least `until` because `provider` limited it (never earlier),
 * records the provider and the reason, and writes that to its history. Null when the job is not waiting.
 */
export async function rescheduleWaitingJob(
  db: Db,
  opts: { id: string; provider: string; until: Date; reason: string; now: Date; actor?: string },
): Promise<Job | null> {
  assertJobId(opts.id);
  const [row] = await rows(
    db,
    sql`
    with changed as (
      update jobs j set run_at = greatest(j.run_at, ${ts(opts.until)}), updated_at = ${ts(opts.now)},
        failed_providers = case when ${opts.provider} = any(j.failed_providers) then j.failed_providers
                                else array_append(j.failed_providers, ${opts.provider}::text) end,
        last_error = ${opts.reason}
      where j.id = ${opts.id} and j.status in ('pending', 'paused')
      returning j.*, j.status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.actor ?? null}`, sql`${opts.reason}`)})
    select * from changed`,
  );
  return row ? toJob(row) : null;
}

/**
 * Jobs of the given types that failed with attempts left, or wait for a retry that is due: what the
 * queue package's retryFailedQueueTasks() restarts and runs. Walks jobs_queue_status_created_idx for
 * the given queues; LIMIT bounds it.
 */
export async function listRetryCandidates(
  db: Db,
  opts: { queues: string[]; types: string[]; now: Date; limit: number },
): Promise<{ id: string; type: string; status: 'failed' | 'pending' }[]> {
  const found = await rows(
    db,
    sql`
    select id, type, status from jobs
    where queue = any(${textArray(opts.queues)}) and type = any(${textArray(opts.types)})
      and ((status = 'failed' and attempts < max_attempts)
           or (status = 'pending' and attempts > 0 and run_at <= ${ts(opts.now)}))
    order by updated_at limit ${opts.limit}`,
  );
  return found.map((r) => ({ id: String(r.id), type: String(r.type), status: r.status as 'failed' | 'pending' }));
}

/** Whether any job of `type` is running. Only processing rows are in jobs_lease_idx, so this probes the running set. */
export async function hasProcessingJobs(db: Db, type: string): Promise<boolean> {
  const [row] = await rows(
    db,
    sql`select exists (select 1 from jobs where status = 'processing' and type = ${type}) as yes`,
  );
  return Boolean(row?.yes);
}
