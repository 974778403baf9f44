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

export function toJob(r: Raw): Job {
  return {
    id: String(r.id),
    queue: String(r.queue),
    type: String(r.type),
    payload: r.payload,
    result: (r.result ?? null) as unknown,
    status: r.status as JobStatus,
    stage: strOrNull(r.stage),
    progress: strOrNull(r.progress),
    priority: Number(r.priority),
    runAt: parseTs(r.run_at),
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    deferrals: Number(r.deferrals ?? 0),
    lockedBy: strOrNull(r.locked_by),
    lockedUntil: tsOrNull(r.locked_until),
    lastError: strOrNull(r.last_error),
    failedProviders: (r.failed_providers as string[] | null) ?? [],
    dedupKey: strOrNull(r.dedup_key),
    correlationId: strOrNull(r.correlation_id),
    userId: strOrNull(r.user_id),
    entityType: strOrNull(r.entity_type),
    entityId: strOrNull(r.entity_id),
    metadata: (r.metadata as Record<string, unknown> | null) ?? {},
    createdAt: parseTs(r.created_at),
    updatedAt: parseTs(r.updated_at),
    startedAt: tsOrNull(r.started_at),
    completedAt: tsOrNull(r.completed_at),
    durationMs: r.duration_ms === null || r.duration_ms === undefined ? null : Number(r.duration_ms),
  };
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
