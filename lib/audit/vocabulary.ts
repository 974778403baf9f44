import 'server-only';
import { isLeaseExpiry, PRIORITY, type Job, type JobEvent, type JobStatus } from '@/lib/queue';

/**
 * The audited-operations vocabulary (async-operation-queue.md) on the engine. The reference's
 * queue_messages row is the engine's job row under other names: queue_name = queue, job_type = type,
 * entity_name = entity_type, processing_duration_ms = duration_ms, error_details = last_error (kept
 * server-side; clients see the sanitised text below).
 */
export const AUDIT_STATUSES = ['queued', 'processing', 'completed', 'failed', 'retrying'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

export const AUDIT_PRIORITIES = ['low', 'normal', 'high', 'critical'] as const;
export type AuditPriority = (typeof AUDIT_PRIORITIES)[number];

/** The reference's table, verbatim. */
export const VALID_TRANSITIONS: Readonly<Record<AuditStatus, readonly AuditStatus[]>> = {
  queued: ['processing'],
  processing: ['completed', 'failed', 'retrying'],
  retrying: ['processing', 'failed'],
  completed: [],
  failed: [],
};

export const canAuditTransition = (from: AuditStatus, to: AuditStatus) => VALID_TRANSITIONS[from].includes(to);

/**
 * `retrying` is a waiting job that has already run: attempts > 0, or handed its attempt back after a
 * rate limit (deferrals > 0). A paused job keeps the word it had. Cancelled reads as failed: the
 * reference has no other final word for it.
 */
export function toAuditStatus(job: Pick<Job, 'status' | 'attempts' | 'deferrals'>): AuditStatus {
  return fromEngine(job.status, job.attempts > 0 || job.deferrals > 0);
}

function fromEngine(status: JobStatus, hasRun: boolean): AuditStatus {
  switch (status) {
    case 'pending':
    case 'paused':
      return hasRun ? 'retrying' : 'queued';
    case 'processing':
      return 'processing';
    case 'completed':
      return 'completed';
    case 'failed':
    case 'cancelled':
      return 'failed';
  }
}

/** An event's word: a return to pending from processing is a retry even when the attempt was handed back. */
export const eventAuditStatus = (e: Pick<JobEvent, 'toStatus' | 'fromStatus' | 'attempt'>): AuditStatus =>
  fromEngine(e.toStatus, e.attempt > 0 || e.fromStatus === 'processing');

export const toEnginePriority = (p: AuditPriority): number => PRIORITY[p];

/** Retries may step a job's number down; each number reads as the nearest named level. */
export function toAuditPriority(n: number): AuditPriority {
  if (n <= (PRIORITY.critical + PRIORITY.high) / 2) return 'critical';
  if (n <= (PRIORITY.high + PRIORITY.normal) / 2) return 'high';
  if (n <= (PRIORITY.normal + PRIORITY.low) / 2) return 'normal';
  return 'low';
}

/**
 * What a client may read about a failure. The full text (stack-ish messages, upstream bodies, worker
 * hosts) stays in last_error and the job's history, where operators read it.
 */
export function sanitizeError(job: Pick<Job, 'status' | 'lastError' | 'attempts' | 'deferrals'>): string | null {
  const status = toAuditStatus(job);
  if (job.status === 'cancelled') return 'Cancelled';
  if (status !== 'failed' && status !== 'retrying') return null;
  const e = job.lastError ?? '';
  const kind = /^Rate limited by [\w .-]{1,40};/.test(e)
    ? e.split(';')[0]
    : e.startsWith('Timed out')
      ? 'Timed out'
      : isLeaseExpiry(e)
        ? 'The worker stopped responding'
        : 'Processing failed';
  return status === 'retrying' ? `${kind}; a retry is scheduled` : kind;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A failure an outside processor reported itself (PATCH /api/jobs/{id} with `error`): its own text, to
 * the key holder who sent it. The engine's lease note names internal workers, so it stays neutral.
 */
export function reportedError(job: Pick<Job, 'status' | 'lastError' | 'attempts' | 'deferrals'>): string | null {
  const status = toAuditStatus(job);
  if (status !== 'failed' && status !== 'retrying') return null;
  if (!job.lastError) return job.status === 'cancelled' ? 'Cancelled' : null;
  return isLeaseExpiry(job.lastError) ? sanitizeError(job) : job.lastError;
}

/**
 * The reference's QueueMessage, in camelCase as its TypeScript entity names it. `reported`: the job is
 * worked by an outside processor, whose own error text errorDetails then carries; an in-app handler's
 * errors are summarised (sanitizeError), as the reference's "client receives sanitized messages" says.
 */
export function toQueueMessage(job: Job, opts: { reported?: boolean } = {}) {
  return {
    id: job.id,
    queueName: job.queue,
    jobType: job.type,
    correlationId: job.correlationId,
    userId: job.userId,
    entityName: job.entityType,
    entityId: job.entityId,
    payload: job.payload,
    result: job.result,
    status: toAuditStatus(job),
    priority: toAuditPriority(job.priority),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    queuedAt: iso(job.createdAt),
    startedAt: iso(job.startedAt),
    completedAt: iso(job.completedAt),
    processingDurationMs: job.durationMs,
    errorDetails: opts.reported ? reportedError(job) : sanitizeError(job),
    metadata: job.metadata,
    nextAttemptAt: job.status === 'pending' ? iso(job.runAt) : null,
    updatedAt: iso(job.updatedAt),
  };
}
export type QueueMessage = ReturnType<typeof toQueueMessage>;

/**
 * The job's history in the reference's words, without the server-side messages. Each entry names the
 * word it left, so a reader can check every step against VALID_TRANSITIONS.
 */
export function toAuditHistory(events: JobEvent[], opts: { reported?: boolean } = {}) {
  let from: AuditStatus = 'queued';
  return events
    .filter((e) => e.fromStatus !== e.toStatus)
    .map((e) => {
      const status = eventAuditStatus(e);
      const entry: { at: string; from: AuditStatus; status: AuditStatus; attempt: number; error?: string } = {
        at: e.at.toISOString(),
        from,
        status,
        attempt: e.attempt,
      };
      // The processor's own words for a failure it reported (outside-worked types only).
      if (opts.reported && (status === 'failed' || status === 'retrying') && e.message && !isLeaseExpiry(e.message)) {
        entry.error = e.message;
      }
      from = entry.status;
      return entry;
    });
}
