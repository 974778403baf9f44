import type { PgDatabase } from 'drizzle-orm/pg-core';
import type { PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js';
import type { JobStatus } from './browser';

// A drizzle database or a transaction from it: every engine function runs inside whichever it is given.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PostgresJsQueryResultHKT, any>;

// Statuses, priorities and id checks live in the browser-safe module, so client code shares them.
export {
  JOB_STATUSES,
  UNFINISHED,
  FINISHED,
  BROWSED,
  isUuid,
  PRIORITY,
  PRIORITY_MIN,
  PRIORITY_MAX,
  type JobStatus,
  type PriorityName,
} from './browser';
// The schema owns the default it writes into its columns; the engine uses the same number.
export { DEFAULT_MAX_ATTEMPTS } from '../../drizzle/schema';

export const MAX_PAYLOAD_BYTES = 64 * 1024;

// Each field is a column in job-columns.ts, whose table is checked against this interface.
export interface Job<P = unknown, R = unknown> {
  id: string;
  queue: string;
  type: string;
  payload: P;
  result: R | null;
  status: JobStatus;
  stage: string | null;
  progress: string | null;
  priority: number;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  deferrals: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  failedProviders: string[];
  dedupKey: string | null;
  correlationId: string | null;
  userId: string | null;
  entityType: string | null;
  entityId: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  durationMs: number | null;
  /** What the job spends: the limits on this key decide when it may start (lib/queue/limits.ts). */
  limitKey: string | null;
  /** Whose work it is: within a queue, owners take turns at the claim (migration 0016). */
  ownerKey: string | null;
}

export interface JobEvent {
  id: number;
  jobId: string;
  at: Date;
  fromStatus: JobStatus | null;
  toStatus: JobStatus;
  stage: string | null;
  attempt: number;
  worker: string | null;
  message: string | null;
}

export type QueueErrorCode =
  'not_found' | 'conflict' | 'invalid_transition' | 'invalid_input' | 'unknown_type' | 'payload_too_large';

export class QueueError extends Error {
  constructor(
    readonly code: QueueErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'QueueError';
  }
}
