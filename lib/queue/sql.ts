import { sql, type SQL } from 'drizzle-orm';
import { PgTransaction, type PgDialect } from 'drizzle-orm/pg-core';
import { isUuid, type Db } from './types';

export type Row = Record<string, unknown>;

// Timestamps travel as ISO text with an explicit cast: the driver passes Date objects through unserialised.
export const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;

/**
 * Fences an outcome to the claim whose run wrote it (`j` is the job): attempt numbers repeat once a job
 * is retried, but a claim's started_at does not. Absent, only the worker id and attempt fence it.
 */
export const sameRun = (startedAt: Date | null | undefined): SQL =>
  startedAt ? sql`and j.started_at = ${ts(startedAt)}` : sql``;

/** Ids that are not UUIDs cannot name a job, so they are dropped rather than failing the cast. */
export const uuidArray = (ids: readonly string[]): SQL =>
  sql`${`{${ids.filter(isUuid).join(',')}}`}::uuid[]`;

export const textArray = (values: readonly string[]): SQL => sql`${toPgArray(values)}::text[]`;

function toPgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

// What rows() needs of drizzle's session: `db.execute` prepares with no statement name, which makes the
// driver send every query unnamed, parsed and planned afresh. A name lets postgres.js keep the statement
// per connection (its own `prepare: false`, for transaction-mode poolers, still wins).
interface Session {
  prepareQuery(
    query: { sql: string; params: unknown[] },
    fields: undefined,
    name: string,
    arrayMode: boolean,
    mapRows?: (rows: unknown[][]) => unknown,
  ): { execute(): Promise<unknown> };
}

/**
 * Runs an engine statement as a prepared statement: the claim, complete and history statements are
 * long CTEs whose planning cost as much as their execution (measured: a 10-job claim, 2.6 → 1.7 ms).
 * Their text is fixed by the code (values travel as parameters), so the per-connection cache stays small.
 */
export async function rows(db: Db, query: SQL): Promise<Row[]> {
  const { session, dialect } = db as unknown as { session: Session; dialect: PgDialect };
  return (await session.prepareQuery(dialect.sqlToQuery(query), undefined, 'steady', false).execute()) as Row[];
}

const asReturned = (r: unknown[][]) => r;

/**
 * As rows(), each row an array of its values in the statement's column order. The driver fills an
 * object by column name with one keyed store per column; for the 23 columns of a claimed job that
 * was a tenth of a worker's CPU (measured in a drain: 24.7 → 21.1 µs of Node per job).
 * drizzle hands rows over as arrays only to a result mapper, so the mapper passes them through.
 */
export async function rowValues(db: Db, query: SQL): Promise<unknown[][]> {
  const { session, dialect } = db as unknown as { session: Session; dialect: PgDialect };
  return (await session.prepareQuery(dialect.sqlToQuery(query), undefined, 'steady', true, asReturned).execute()) as unknown[][];
}

// Every status-changing statement ends with this: its `changed` CTE returns the job's new row plus
// `from_status`, and one INSERT … SELECT writes the history for the whole batch.
export const writeHistory = (at: Date, worker: SQL, message: SQL) => sql`
  insert into job_events (job_id, at, from_status, to_status, stage, attempt, worker, message)
  select id, ${ts(at)}, from_status, status, stage, attempts, ${worker}, ${message} from changed`;

/** Runs `fn` in the caller's transaction when `db` is one, else in a transaction of its own. */
export const inTransaction = <T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> =>
  db instanceof PgTransaction ? fn(db) : db.transaction((tx) => fn(tx as unknown as Db));

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
