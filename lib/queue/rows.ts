import { sql } from 'drizzle-orm';
import type { Job, JobEvent, JobStatus } from './types';

type Raw = Record<string, unknown>;

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
const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export const toJob = (r: Raw): Job => build((column) => r[column]);

/**
 * The columns a claim sends back, in order. The ones the claim itself set (status, lease, started and
 * updated times, progress) are filled in by toClaimedJob instead: a worker turns over thousands of
 * jobs a second, and three timestamps and two strings per row were a tenth of its time reading rows.
 */
const CLAIMED = [
  'id', 'queue', 'type', 'payload', 'result', 'stage', 'priority', 'run_at', 'attempts', 'max_attempts', 'deferrals',
  'last_error', 'failed_providers', 'dedup_key', 'correlation_id', 'user_id', 'entity_type', 'entity_id', 'metadata',
  'created_at', 'completed_at', 'duration_ms', 'limit_key', 'owner_key',
] as const;
type Column = (typeof CLAIMED)[number] | 'status' | 'progress' | 'locked_by' | 'locked_until' | 'updated_at' | 'started_at';

export const CLAIMED_COLUMNS = sql.raw(CLAIMED.join(', '));
/** Where a claim's first column after CLAIMED_COLUMNS lands in its rows. */
export const AFTER_CLAIMED = CLAIMED.length;
const claimedIndex = Object.fromEntries(CLAIMED.map((c, i) => [c, i])) as Record<Column, number>;

/** A row of CLAIMED_COLUMNS, as rowValues() returns it, as a Job: the fields the claim set come from `claimed`. */
export const toClaimedJob = (v: readonly unknown[], claimed: ClaimedBy): Job => build((column) => v[claimedIndex[column]], claimed);

function build(read: (column: Column) => unknown, claimed?: ClaimedBy): Job {
  return {
    id: String(read('id')),
    queue: String(read('queue')),
    type: String(read('type')),
    payload: read('payload'),
    result: (read('result') ?? null) as unknown,
    status: claimed ? 'processing' : (read('status') as JobStatus),
    stage: strOrNull(read('stage')),
    progress: claimed ? null : strOrNull(read('progress')),
    priority: Number(read('priority')),
    runAt: parseTs(read('run_at')),
    attempts: Number(read('attempts')),
    maxAttempts: Number(read('max_attempts')),
    deferrals: Number(read('deferrals') ?? 0),
    lockedBy: claimed ? claimed.workerId : strOrNull(read('locked_by')),
    lockedUntil: claimed ? new Date(claimed.leaseEnd) : tsOrNull(read('locked_until')),
    lastError: strOrNull(read('last_error')),
    failedProviders: (read('failed_providers') as string[] | null) ?? [],
    dedupKey: strOrNull(read('dedup_key')),
    correlationId: strOrNull(read('correlation_id')),
    userId: strOrNull(read('user_id')),
    entityType: strOrNull(read('entity_type')),
    entityId: strOrNull(read('entity_id')),
    metadata: (read('metadata') as Record<string, unknown> | null) ?? {},
    createdAt: parseTs(read('created_at')),
    updatedAt: claimed ? new Date(claimed.now) : parseTs(read('updated_at')),
    startedAt: claimed ? new Date(claimed.now) : tsOrNull(read('started_at')),
    completedAt: tsOrNull(read('completed_at')),
    durationMs: numOrNull(read('duration_ms')),
    limitKey: strOrNull(read('limit_key')),
    ownerKey: strOrNull(read('owner_key')),
  };
}

/** What a claim set on every row it took. */
export interface ClaimedBy {
  workerId: string;
  leaseEnd: Date;
  now: Date;
}

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
