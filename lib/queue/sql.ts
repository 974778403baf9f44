import { sql, type SQL } from 'drizzle-orm';
import { isUuid } from './types';

// Timestamps travel as ISO text with an explicit cast: the driver passes Date objects through unserialised.
export const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;

/**
 * Fences an outcome to the claim whose run wrote it (`j` is the job): attempt numbers repeat once a job
 * is retried, but a claim's started_at does not. Absent, only the worker id and attempt fence it.
 */
export const sameRun = (startedAt: Date | null | undefined): SQL =>
  startedAt ? sql`and j.started_at = ${ts(startedAt)}` : sql``;

/** Ids that are not UUIDs cannot name a job, so they are dropped rather than failing the cast. */
export const uuidArray = (ids: readonly string[]): SQL => sql`${`{${ids.filter(isUuid).join(',')}}`}::uuid[]`;

export const textArray = (values: readonly string[]): SQL => sql`${toPgArray(values)}::text[]`;

function toPgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

// The engine's names for the driver seam (driver.ts): statements run prepared, claims read arrays.
export { run as rows, runArrays as rowValues, inTransaction, isTransaction } from './driver';

// Every status-changing statement ends with this: its `changed` CTE returns the job's new row plus
// `from_status`, and one INSERT … SELECT writes the history for the whole batch.
export const writeHistory = (at: Date, worker: SQL, message: SQL) => sql`
  insert into job_events (job_id, at, from_status, to_status, stage, attempt, worker, message)
  select id, ${ts(at)}, from_status, status, stage, attempts, ${worker}, ${message} from changed`;

/**
 * The CTE `keys(k)`: every limit key with pending jobs, found by skip-scan of jobs_claim_key_idx (one
 * index probe per key, however many jobs each has). Goes after `with recursive`; the last row is null.
 */
export const PENDING_KEYS = sql`keys as (
      (select limit_key as k from jobs where status = 'pending' and limit_key is not null order by limit_key limit 1)
      union all
      select (select limit_key from jobs where status = 'pending' and limit_key is not null and limit_key > keys.k
              order by limit_key limit 1)
      from keys where keys.k is not null
    )`;

/**
 * The priority levels that have pending jobs, found by skip-scans (for a `with recursive`): `levels`
 * for the jobs without a limit key (jobs_claim_idx), `key_levels` (k, priority) within each pending key
 * (jobs_claim_key_idx). The due statistics read each level's first entries.
 */
export const PENDING_LEVELS = sql`levels as (
      (select priority from jobs where status = 'pending' and limit_key is null order by priority limit 1)
      union all
      select (select j.priority from jobs j where j.status = 'pending' and j.limit_key is null and j.priority > l.priority
              order by j.priority limit 1)
      from levels l where l.priority is not null
    ),
    ${PENDING_KEYS},
    key_levels as (
      select keys.k, lv.priority from keys
      cross join lateral (
        with recursive lv as (
          (select priority from jobs where status = 'pending' and limit_key = keys.k order by priority limit 1)
          union all
          select (select j.priority from jobs j where j.status = 'pending' and j.limit_key = keys.k and j.priority > lv.priority
                  order by j.priority limit 1)
          from lv where lv.priority is not null
        )
        select priority from lv where priority is not null) lv
      where keys.k is not null
    )`;
