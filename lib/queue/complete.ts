import { sql } from 'drizzle-orm';
import { rows, ts, uuidArray, writeHistory } from './sql';
import { toJob } from './rows';
import { isUuid, QueueError, type Db, type Job } from './types';
import { assertJobId, explainMiss } from './guard';
import { MOVES } from './moves';

const GUARD = MOVES.complete.guard('j.status::text');

export interface Completion {
  id: string;
  /** The attempt number the worker claimed; a rescued and re-claimed job has moved past it. */
  attempt: number;
  result?: unknown;
  /**
   * When the run began (the claimed job's startedAt). With it, only that claim can complete the job:
   * a job cancelled mid-run, retried and claimed again by the same worker is back at the same attempt
   * number, and the old run must not complete the new claim.
   */
  startedAt?: Date | null;
}

/**
 * Completes many jobs in one statement. Only rows still processing under this worker's lease and
 * attempt change, so a late completion after a lease rescue is a no-op. Returns the ids completed.
 */
export async function completeJobs(
  db: Db,
  opts: { workerId: string; now: Date; items: Completion[] },
): Promise<string[]> {
  if (opts.items.length === 0) return [];
  // Rows are found through the primary key and each one's attempt and result looked up by id in one
  // jsonb object: joining a recordset let the planner pick a nested loop that rescans the input per row.
  // `status::text`: with `status = 'processing'` the planner could prove jobs_lease_idx's predicate and,
  // from statistics taken while nothing ran, preferred scanning that whole index, dead entries and all,
  // over 500 primary-key lookups: each completion grew slower as a drain went on (54 ms per batch).
  // Written as text, not built as an object and stringified: ids are UUIDs and attempts integers, so
  // only results need escaping, and a worker completes thousands of jobs a second. An id that is no
  // UUID names no job: it is left out, and so not completed.
  const ids: string[] = [];
  let json = '';
  for (const i of opts.items) {
    if (!isUuid(i.id)) continue;
    const id = i.id.toLowerCase(); // as the id column prints, for the lookup below
    const attempt = Number.isInteger(i.attempt) ? i.attempt : null;
    const result = i.result == null ? 'null' : (JSON.stringify(i.result) ?? 'null');
    const started = i.startedAt ? i.startedAt.getTime() : 'null';
    ids.push(id);
    json += `${json === '' ? '{' : ','}"${id}":{"a":${attempt},"s":${started},"r":${result}}`;
  }
  if (ids.length === 0) return [];
  json += '}';
  const done = await rows(
    db,
    sql`
    with input as (select ${json}::jsonb as m),
    changed as (
      update jobs j
      set status = 'completed', result = nullif(input.m -> (j.id::text) -> 'r', 'null'), completed_at = ${ts(opts.now)},
          duration_ms = greatest(0, round(extract(epoch from (${ts(opts.now)} - j.started_at)) * 1000))::int,
          last_error = null, locked_by = null, locked_until = null, updated_at = ${ts(opts.now)}
      from input
      where j.id = any(${uuidArray(ids)}) and ${GUARD}
        and j.locked_by = ${opts.workerId} and j.attempts = (input.m -> (j.id::text) ->> 'a')::int
        and ((input.m -> (j.id::text) ->> 's') is null
             or (extract(epoch from j.started_at) * 1000)::int8 = (input.m -> (j.id::text) ->> 's')::int8)
      returning j.id, j.status, j.stage, j.attempts, 'processing'::job_status as from_status
    ),
    history as (${writeHistory(opts.now, sql`${opts.workerId}`, sql`null`)})
    select id from changed`,
  );
  return done.map((r) => String(r.id));
}

export async function completeJob(
  db: Db,
  opts: { id: string; workerId: string; attempt: number; now: Date; result?: unknown },
): Promise<Job> {
  assertJobId(opts.id);
  const [id] = await completeJobs(db, { workerId: opts.workerId, now: opts.now, items: [opts] });
  if (!id) throw await explainMiss(db, opts.id, 'completed', opts.workerId);
  const [row] = await rows(db, sql`select * from jobs where id = ${opts.id}`);
  if (!row) throw new QueueError('not_found', `Job ${opts.id} not found`);
  return toJob(row);
}
