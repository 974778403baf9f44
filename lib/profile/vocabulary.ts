import 'server-only';
import { isLeaseExpiry, PRIORITY, type Job, type JobStatus } from '@/lib/queue';

/**
 * The profile queue's words (profile-queue.md) on the engine. One engine job per request:
 * request_id = correlation_id (and metadata.request_id), the username = the job's entity
 * ('profile', lower-cased), source = metadata.source, last_attempt = started_at, error_message =
 * a public rendering of last_error, timestamp/created_at = created_at.
 */
export const PROFILE_TYPE = 'profile.process';
export const PROFILE_QUEUE = 'profile';
export const PROFILE_ENTITY = 'profile';

export const PROFILE_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'PAUSED'] as const;
export type ProfileStatus = (typeof PROFILE_STATUSES)[number];
export const PROFILE_PRIORITIES = ['HIGH', 'LOW'] as const;
export type ProfilePriority = (typeof PROFILE_PRIORITIES)[number];

/** Cancelled (by an operator) is a FAILED request to its client: the reference has no other word. */
export const STATUS_OF: Record<JobStatus, ProfileStatus> = {
  pending: 'PENDING',
  processing: 'PROCESSING',
  completed: 'COMPLETED',
  failed: 'FAILED',
  cancelled: 'FAILED',
  paused: 'PAUSED',
};

/** HIGH and LOW are the engine's named levels, so a HIGH request is claimed before any LOW one. */
export const ENGINE_PRIORITY: Record<ProfilePriority, number> = { HIGH: PRIORITY.high, LOW: PRIORITY.low };
export const toProfilePriority = (n: number): ProfilePriority => (n < PRIORITY.normal ? 'HIGH' : 'LOW');

export const profileKey = (username: string) => username.toLowerCase();
/** While a username's request is unfinished, a new request for it returns that job. */
export const dedupKeyFor = (username: string) => `profile:${profileKey(username)}`;

/** Messages the profile handler writes for people start with this; anything else is summarised. */
export const PUBLIC_ERROR_PREFIX = 'Profile import failed: ';

/**
 * The status endpoint is public: it shows the handler's own summary, the engine's rate-limit and
 * timeout notices, and a neutral line for anything else (worker names and upstream bodies stay inside).
 */
export function publicError(job: Pick<Job, 'status' | 'lastError'>): string | null {
  if (job.status === 'cancelled') return 'Cancelled by an operator';
  const e = job.lastError;
  if (!e || job.status === 'completed') return null;
  if (e.startsWith(PUBLIC_ERROR_PREFIX)) return e.slice(0, 300);
  const rate = /^Rate limited by ([\w .-]{1,40});/.exec(e);
  if (rate) return `Rate limited by ${rate[1]}; will retry`;
  if (e.startsWith('Timed out')) return 'Timed out; will retry';
  if (isLeaseExpiry(e)) return 'The worker stopped responding; will retry';
  return 'Processing failed';
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Exactly the reference's fields, nothing else: the status endpoint is public. */
export function toProfileStatus(job: Job) {
  const payload = (job.payload ?? {}) as { username?: unknown; source?: unknown };
  return {
    id: job.id,
    username: typeof payload.username === 'string' ? payload.username : job.entityId,
    source: typeof payload.source === 'string' ? payload.source : null,
    status: STATUS_OF[job.status],
    priority: toProfilePriority(job.priority),
    attempts: job.attempts,
    last_attempt: iso(job.startedAt),
    error_message: publicError(job),
    request_id: job.correlationId,
    timestamp: iso(job.createdAt),
    created_at: iso(job.createdAt),
    updated_at: iso(job.updatedAt),
  };
}
