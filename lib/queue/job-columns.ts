import { sql, type SQL } from 'drizzle-orm';
import type { Prepared } from './insert-jobs';
import { DEFAULT_MAX_ATTEMPTS, PRIORITY, type Job, type JobStatus } from './types';

// The job row, described once: each entry is a Job field, its column, how a read decodes it, what a
// claim or a fresh insert makes of it, and how an insert (JSON document or COPY line) writes it. The
// column lists, encoders and decoders in rows.ts, insert-jobs.ts and copy-jobs.ts come from here, and
// `satisfies` holds the table to the Job interface field for field: a new column is one entry.

/** What a claim set on every row it took. */
export interface ClaimedBy {
  workerId: string;
  leaseEnd: Date;
  now: Date;
}

interface Write {
  /** The column's key and type in the INSERT's jsonb_to_recordset document, and its value there as JSON (null: omitted). */
  field?: { key: string; type: string; json: (p: Prepared, now: Date) => string | null };
  /** The INSERT's value over that document (`x`), its queue's row (`qs`) and the call's `now`; default `x.<key>`. */
  expr?: (now: SQL) => SQL;
  /** Its text in a COPY line (already escaped; \N for null); absent, COPY leaves it out. */
  copy?: (p: Prepared, maxAttempts: number) => string;
}

interface Column<T> {
  sql: string;
  decode: (v: unknown) => T;
  /** What the claim wrote: a claim does not send the column back (see CLAIMED_COLUMNS in rows.ts). */
  claimed?: (c: ClaimedBy) => T;
  /** Its value in a job just inserted (the column's default when there is no `write`). */
  fresh: (p: Prepared, maxAttempts: number) => T;
  write?: Write;
}

type Columns = { [K in keyof Job]-?: Column<Job[K]> };

// Rows read together mostly share their timestamps (a bulk enqueue gives all its jobs one created_at and
// one run_at), so the last two texts parsed are remembered (a row alternates between its columns) and a
// repeat costs a new Date instead of a parse.
const recentText = ['', ''];
const recentMs = [0, 0];
let older = 0;

// The drizzle postgres-js driver hands timestamps through as text ("2026-11-22 05:33:55.123+00").
export function parseTs(v: unknown): Date {
  if (v instanceof Date) return v;
  const s = String(v);
  if (s === recentText[0]) return new Date(recentMs[0]);
  if (s === recentText[1]) return new Date(recentMs[1]);
  const d = parseText(s);
  recentText[older] = s;
  recentMs[older] = d.getTime();
  older = 1 - older;
  return d;
}

function parseText(s: string): Date {
  // The common case, "2026-11-22 05:33:55.123456+00" (sessions run in UTC), without regex or rebuilding.
  if (s.charCodeAt(10) === 32 && s.endsWith('+00')) return new Date(`${s.slice(0, 10)}T${s.slice(11, -3)}Z`);
  const iso = s.includes('T') ? s : s.replace(' ', 'T');
  return new Date(/[+-]\d\d$/.test(iso) ? `${iso}:00` : iso);
}

const tsOrNull = (v: unknown) => (v === null || v === undefined ? null : parseTs(v));
export const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

// COPY's text format: backslash, tab, newline and carriage return are escaped within a value; \N is NULL.
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escape = (v: string) => (SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : v);
const orNull = (v: string | null) => (v === null ? '\\N' : escape(v));

// A batch's rows mostly share one timestamp (the call's `now`): its text is made once.
let isoMs = Number.NaN;
let isoText = '';
function iso(d: Date): string {
  const ms = d.getTime();
  if (ms !== isoMs) {
    isoText = d.toISOString();
    isoMs = ms;
  }
  return isoText;
}

const q = JSON.stringify;
const jsonOrNull = (v: string | null) => (v === null ? null : q(v));
const none = () => null;
/** How an insert writes created_at, and updated_at with it. */
const createdWrite: Write = { expr: (now) => sql`coalesce(x.n, ${now})`, copy: (p) => iso(p.createdAt) };

/** A text column an insert writes as given (null stays null). */
const text = (
  key: string,
  column: string,
  of: (p: Prepared) => string | null,
  opts: { type?: string; copied?: boolean } = {},
): Column<string | null> => ({
  sql: column,
  decode: strOrNull,
  fresh: of,
  write: {
    field: { key, type: opts.type ?? 'text', json: (p) => jsonOrNull(of(p)) },
    copy: opts.copied === false ? undefined : (p) => orNull(of(p)),
  },
});
/** A text column every row has. */
const name = (key: string, column: string, of: (p: Prepared) => string): Column<string> => ({
  sql: column,
  decode: String,
  fresh: of,
  write: { field: { key, type: 'text', json: (p) => q(of(p)) }, copy: (p) => escape(of(p)) },
});
/** A column an insert leaves to its default, always `value` in a fresh row. */
const unwritten = <T>(name: string, decode: (v: unknown) => T, value: () => T): Column<T> => ({
  sql: name,
  decode,
  fresh: value,
});

// Short keys, and nothing for a value that is null or the default: a 50,000-job batch is one JSON
// document, and most of its bytes were repeated nulls.
export const JOB_COLUMNS = {
  id: {
    sql: 'id',
    decode: String,
    fresh: (p) => p.id,
    write: { field: { key: 'i', type: 'uuid', json: (p) => `"${p.id}"` }, copy: (p) => p.id },
  },
  queue: name('q', 'queue', (p) => p.queue),
  type: name('t', 'type', (p) => p.type),
  payload: {
    sql: 'payload',
    decode: (v) => v,
    fresh: (p) => JSON.parse(p.payloadJson),
    write: { field: { key: 'p', type: 'jsonb', json: (p) => p.payloadJson }, copy: (p) => escape(p.payloadJson) },
  },
  result: unwritten('result', (v) => v ?? null, none),
  status: {
    ...unwritten(
      'status',
      (v) => v as JobStatus,
      () => 'pending' as const,
    ),
    claimed: () => 'processing',
  },
  stage: text('s', 'stage', (p) => p.stage),
  progress: { ...unwritten('progress', strOrNull, none), claimed: none },
  priority: {
    sql: 'priority',
    decode: Number,
    fresh: (p) => p.priority,
    write: {
      field: { key: 'pr', type: 'int', json: (p) => (p.priority === PRIORITY.normal ? null : String(p.priority)) },
      expr: () => sql`coalesce(x.pr, ${PRIORITY.normal})`,
      copy: (p) => String(p.priority),
    },
  },
  runAt: {
    sql: 'run_at',
    decode: parseTs,
    fresh: (p) => new Date(p.runAt),
    write: {
      field: {
        key: 'r',
        type: 'timestamptz',
        json: (p, now) => (p.runAt.getTime() === now.getTime() ? null : `"${p.runAt.toISOString()}"`),
      },
      expr: (now) => sql`coalesce(x.r, ${now})`,
      copy: (p) => iso(p.runAt),
    },
  },
  attempts: unwritten('attempts', Number, () => 0),
  maxAttempts: {
    sql: 'max_attempts',
    decode: Number,
    fresh: (_, maxAttempts) => maxAttempts,
    write: {
      // The queue's default when the job names none: the INSERT reads it with the row.
      field: { key: 'm', type: 'int', json: (p) => (p.maxAttempts === null ? null : String(p.maxAttempts)) },
      expr: () => sql`coalesce(x.m, qs.default_max_attempts, ${DEFAULT_MAX_ATTEMPTS})`,
      copy: (_, maxAttempts) => String(maxAttempts),
    },
  },
  deferrals: unwritten(
    'deferrals',
    (v) => Number(v ?? 0),
    () => 0,
  ),
  lockedBy: { ...unwritten('locked_by', strOrNull, none), claimed: (c) => c.workerId },
  lockedUntil: { ...unwritten('locked_until', tsOrNull, none), claimed: (c) => new Date(c.leaseEnd) },
  lastError: unwritten('last_error', strOrNull, none),
  failedProviders: unwritten(
    'failed_providers',
    (v) => (v as string[] | null) ?? [],
    () => [],
  ),
  // Only jobs without a dedup key are copied (copy-jobs.ts): the column stays out of COPY.
  dedupKey: text('d', 'dedup_key', (p) => p.dedupKey, { copied: false }),
  correlationId: text('c', 'correlation_id', (p) => p.correlationId),
  userId: text('u', 'user_id', (p) => p.userId, { type: 'uuid' }),
  entityType: text('et', 'entity_type', (p) => p.entityType),
  entityId: text('ei', 'entity_id', (p) => p.entityId),
  metadata: {
    sql: 'metadata',
    decode: (v) => (v as Record<string, unknown> | null) ?? {},
    fresh: (p) => p.metadata ?? {},
    write: {
      field: { key: 'md', type: 'jsonb', json: (p) => (p.metadata === null ? null : q(p.metadata)) },
      expr: () => sql`coalesce(x.md, '{}')`,
      copy: (p) => (p.metadata === null ? '{}' : escape(q(p.metadata))),
    },
  },
  createdAt: {
    sql: 'created_at',
    decode: parseTs,
    fresh: (p) => new Date(p.createdAt),
    write: {
      field: {
        key: 'n',
        type: 'timestamptz',
        json: (p, now) => (p.createdAt.getTime() === now.getTime() ? null : `"${p.createdAt.toISOString()}"`),
      },
      ...createdWrite,
    },
  },
  // Created and updated at once: it shares created_at's key in the document, and its values.
  updatedAt: {
    sql: 'updated_at',
    decode: parseTs,
    claimed: (c) => new Date(c.now),
    fresh: (p) => new Date(p.createdAt),
    write: createdWrite,
  },
  startedAt: { ...unwritten('started_at', tsOrNull, none), claimed: (c) => new Date(c.now) },
  completedAt: unwritten('completed_at', tsOrNull, none),
  durationMs: unwritten('duration_ms', numOrNull, none),
  limitKey: text('lk', 'limit_key', (p) => p.limitKey),
  ownerKey: text('ow', 'owner_key', (p) => p.ownerKey),
} satisfies Columns;

export type JobField = keyof Job;
export const JOB_FIELDS = Object.keys(JOB_COLUMNS) as JobField[];
const column = (f: JobField): Column<unknown> => JOB_COLUMNS[f];

/** Every column of a Job, for a select list. */
export const JOB_SELECT = sql.raw(JOB_FIELDS.map((f) => column(f).sql).join(', '));
/** The fields an insert writes, in the order of its column lists. */
export const WRITTEN = JOB_FIELDS.filter((f) => column(f).write !== undefined);
export const writeOf = (f: JobField): Write => column(f).write!;

/**
 * A function whose body is generated from the table: `T0`, `T1`… in `body` are `tables`. Encoders and
 * decoders are compiled this way rather than looping over the table per row (see rows.ts for the
 * measurements); the generated code names only the table's own fields and columns.
 */
export function compileFromTable<F>(params: string[], body: string, ...tables: unknown[][]): F {
  const names = tables.map((_, i) => `T${i}`);
  return (new Function(...names, `return (${params.join(', ')}) => { ${body} };`) as (...t: unknown[][]) => F)(
    ...tables,
  );
}
