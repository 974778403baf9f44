import { sql } from 'drizzle-orm';
import type { Prepared } from './insert-jobs';
import {
  compileFromTable,
  JOB_COLUMNS,
  JOB_FIELDS,
  parseTs,
  strOrNull,
  type ClaimedBy,
  type JobField,
} from './job-columns';
import type { Job, JobEvent, JobStatus } from './types';

export { parseTs } from './job-columns';

type Raw = Record<string, unknown>;

// Each decoder below is compiled from the column table into one object literal. A Job built field by
// field in a loop has too many properties for V8 to give it a fixed shape, and took 20 times as long to
// build (measured: ~5 µs a row against ~0.2 µs); a worker decodes thousands of claimed jobs a second,
// and a bulk enqueue makes a Job per row.
const columns = JOB_FIELDS.map((f) => JOB_COLUMNS[f] as (typeof JOB_COLUMNS)[JobField]);
const key = JSON.stringify;

const compile = <F>(params: string[], value: (f: JobField, i: number) => string, ...tables: unknown[][]): F =>
  compileFromTable<F>(
    params,
    `return { ${JOB_FIELDS.map((f, i) => `${key(f)}: ${value(f, i)}`).join(', ')} };`,
    ...tables,
  );

const decoders = columns.map((c) => c.decode);

/** A row read by column name (`select *`, `returning j.*`) as a Job. */
export const toJob: (r: Raw) => Job = compile(['r'], (_, i) => `T0[${i}](r[${key(columns[i].sql)}])`, decoders);

/**
 * The columns a claim sends back, in order. The ones the claim itself set (status, lease, started and
 * updated times, progress) are filled in by toClaimedJob instead: a worker turns over thousands of
 * jobs a second, and three timestamps and two strings per row were a tenth of its time reading rows.
 */
const CLAIMED = JOB_FIELDS.filter((f) => !('claimed' in JOB_COLUMNS[f]));
export const CLAIMED_COLUMNS = sql.raw(CLAIMED.map((f) => JOB_COLUMNS[f].sql).join(', '));
/** Where a claim's first column after CLAIMED_COLUMNS lands in its rows. */
export const AFTER_CLAIMED = CLAIMED.length;

/** A row of CLAIMED_COLUMNS, as rowValues() returns it, as a Job: the fields the claim set come from `claimed`. */
export const toClaimedJob: (v: readonly unknown[], claimed: ClaimedBy) => Job = compile(
  ['v', 'c'],
  (f, i) => ('claimed' in JOB_COLUMNS[f] ? `T1[${i}](c)` : `T0[${i}](v[${CLAIMED.indexOf(f)}])`),
  decoders,
  columns.map((c) => ('claimed' in c ? c.claimed : undefined)),
);

/** A job just inserted from `p`, as a read would give it (every column the insert left to its default). */
export const toNewJob: (p: Prepared, maxAttempts: number) => Job = compile(
  ['p', 'm'],
  (_, i) => `T0[${i}](p, m)`,
  columns.map((c) => c.fresh),
);

export function toJobEvent(r: Raw): JobEvent {
  return {
    id: Number(r.id),
    jobId: String(r.job_id),
    at: parseTs(r.at),
    fromStatus: (r.from_status as JobStatus | null) ?? null,
    toStatus: r.to_status as JobStatus,
    stage: strOrNull(r.stage),
    attempt: Number(r.attempt),
    worker: strOrNull(r.worker),
    message: strOrNull(r.message),
  };
}
