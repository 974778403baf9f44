// The part of the engine browser code may import: statuses, the transitions between them, priorities
// and id checks. It imports nothing, so a client bundle that takes it takes no server code along.

export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled', 'paused'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Any UUID (job ids, user ids): a string that is not one cannot name a row. */
export const isUuid = (s: string): boolean => UUID.test(s);

export const UNFINISHED: readonly JobStatus[] = ['pending', 'processing', 'paused'];
export const FINISHED: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
/**
 * The statuses whose rows the browsing indexes hold (drizzle/schema.ts). Paused joins the finished
 * ones: it is rare, and has no engine index of its own to be found by.
 */
export const BROWSED: readonly JobStatus[] = [...FINISHED, 'paused'];

// Lower runs first. Named levels leave room between them for retries that step priority down.
export const PRIORITY = { critical: 0, high: 5, normal: 10, low: 15 } as const;
export type PriorityName = keyof typeof PRIORITY;
export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;

// The one table every status change obeys; SQL guards are derived from it (sourcesOf), so a statement
// can only move rows along an edge listed here.
export const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  pending: ['processing', 'cancelled', 'paused'],
  processing: ['completed', 'failed', 'pending', 'cancelled'],
  paused: ['pending', 'cancelled'],
  failed: ['pending'],
  cancelled: ['pending'],
  completed: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function sourcesOf(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => TRANSITIONS[from].includes(to));
}

export const isFinal = (s: JobStatus) => FINISHED.includes(s);
