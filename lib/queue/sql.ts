import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './types';

export type Row = Record<string, unknown>;

// Timestamps travel as ISO text with an explicit cast: the driver passes Date objects through unserialised.
export const ts = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids that are not UUIDs cannot name a job, so they are dropped rather than failing the cast. */
export const uuidArray = (ids: readonly string[]): SQL =>
  sql`${`{${ids.filter((id) => UUID.test(id)).join(',')}}`}::uuid[]`;

export const textArray = (values: readonly string[]): SQL => sql`${toPgArray(values)}::text[]`;

function toPgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

export async function rows(db: Db, query: SQL): Promise<Row[]> {
  return (await db.execute(query)) as unknown as Row[];
}

// Every status-changing statement ends with this: its `changed` CTE returns the job's new row plus
// `from_status`, and one INSERT … SELECT writes the history for the whole batch.
export const writeHistory = (at: Date, worker: SQL, message: SQL) => sql`
  insert into job_events (job_id, at, from_status, to_status, stage, attempt, worker, message)
  select id, ${ts(at)}, from_status, status, stage, attempts, ${worker}, ${message} from changed`;
