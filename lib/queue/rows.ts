import { sql } from 'drizzle-orm';
import type { Job, JobEvent, JobStatus } from './types';

type Raw = Record<string, unknown>;

// The drizzle postgres-js driver hands timestamps through as text ("2026-11-22 05:33:55.123+00").
export function parseTs(v: unknown): Date {
  if (v instanceof Date) return v;
  const s = String(v);
  // The common case, "2026-11-22 05:33:55.123456+00" (sessions run in UTC), without regex or rebuilding.
  if (s.charCodeAt(10) === 32 && s.endsWith('+00')) return new Date(`${s.slice(0, 10)}T${s.slice(11, -3)}Z`);
  const iso = s.includes('T') ? s : s.replace(' ', 'T');
  return new Date(/[+-]\d\d$/.test(iso) ? `${iso}:00` : iso);
}

const tsOrNull = (v: unknown) => (v === null || v === undefined ? null : parseTs(v));
const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));

export const toJob = (r: Raw): Job => build(r);

/** A row of CLAIMED_COLUMNS as a Job: the fields the claim set come from `claimed`. */
export const toClaimedJob = (r: Raw, claimed: ClaimedBy): Job => build(r, claimed);

function build(r: Raw, claimed?: ClaimedBy): Job {
  return {
    id: String(r.id),
    queue: String(r.queue),
    type: String(r.type),
    payload: r.payload,
    result: (r.result ?? null) as unknown,
    status: claimed ? 'processing' : (r.status as JobStatus),
    stage: strOrNull(r.stage),
    progress: claimed ? null : strOrNull(r.progress),
    priority: Number(r.priority),
    runAt: parseTs(r.run_at),
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    deferrals: Number(r.deferrals ?? 0),
    lockedBy: claimed ? claimed.workerId : strOrNull(r.locked_by),
    lockedUntil: claimed ? new Date(claimed.leaseEnd) : tsOrNull(r.locked_until),
    lastError: strOrNull(r.last_error),
    failedProviders: (r.failed_providers as string[] | null) ?? [],
    dedupKey: strOrNull(r.dedup_key),
    correlationId: strOrNull(r.correlation_id),
    userId: strOrNull(r.user_id),
    entityType: strOrNull(r.entity_type),
    entityId: strOrNull(r.entity_id),
    metadata: (r.metadata as Record<string, unknown> | null) ?? {},
    createdAt: parseTs(r.created_at),
    updatedAt: claimed ? new Date(claimed.now) : parseTs(r.updated_at),
    startedAt: claimed ? new Date(claimed.now) : tsOrNull(r.started_at),
    completedAt: tsOrNull(r.completed_at),
    durationMs: r.duration_ms === null || r.duration_ms === undefined ? null : Number(r.duration_ms),
  };
}

/**
 * The columns a claim sends back. The ones the claim itself set (status, lease, started and updated
 * times, progress) are filled in by toClaimedJob instead: a worker turns over thousands of jobs a
 * second, and three timestamps and two strings per row were a tenth of its time reading rows.
 */
export const CLAIMED_COLUMNS = sql.raw(
  'id, queue, type, payload, result, stage, priority, run_at, attempts, max_attempts, deferrals, last_error, ' +
    'failed_providers, dedup_key, correlation_id, user_id, entity_type, entity_id, metadata, created_at, ' +
    'completed_at, duration_ms',
);

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
