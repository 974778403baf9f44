// The queue package's shapes as they travel to the browser (dates as ISO strings), and its words for
// the engine's statuses. Types and pure functions only, so client code may import this file.
import type { JobStatus } from '@/lib/queue/browser';

export type QueueStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'MAX_RETRIES_REACHED';

/** A task in the package's shape, with its times as `TTime`: Date in the server, ISO strings on the wire. */
export interface QueueTaskShape<TData, TResult, TTime> {
  id: string;
  type: string;
  data: TData;
  result?: TResult;
  status: QueueStatus;
  attempts: number;
  maxAttempts: number;
  failedProviders: string[];
  errorMessage?: string | null;
  priority?: number;
  scheduledFor?: TTime | null;
  processedAt?: TTime | null;
  createdAt: TTime;
  updatedAt: TTime;
  referenceId?: string | null;
  referenceType?: string | null;
}

export type QueueTaskDto<TData = unknown, TResult = unknown> = QueueTaskShape<TData, TResult, string>;

/** The reference's getQueueStatus answer: active tasks, recently completed and failed ones. */
export interface QueueStatusDto {
  pendingTasks: QueueTaskDto[];
  processingTasks: QueueTaskDto[];
  completedTasks: QueueTaskDto[];
  failedTasks: QueueTaskDto[];
}

/**
 * The package's word for an engine status. FAILED is "failed but may be retried": waiting for a retry
 * after a failed attempt, or failed for good with attempts left (a permanent error), which
 * retryFailedQueueTasks() restarts. MAX_RETRIES_REACHED is a job that used up its attempts. A
 * cancelled job reads as FAILED with the message "Cancelled".
 */
export function toQueueStatus(t: { status: JobStatus; attempts: number; maxAttempts: number }): QueueStatus {
  switch (t.status) {
    case 'pending':
    case 'paused':
      return t.attempts > 0 ? 'FAILED' : 'PENDING';
    case 'processing':
      return 'PROCESSING';
    case 'completed':
      return 'COMPLETED';
    case 'failed':
      return t.attempts >= t.maxAttempts ? 'MAX_RETRIES_REACHED' : 'FAILED';
    case 'cancelled':
      return 'FAILED';
  }
}

/** The engine status a package status stands for, to draw a toast before the first poll answers. */
export function toEngineStatus(s: string | undefined): JobStatus | undefined {
  switch (s?.toUpperCase()) {
    case 'PENDING':
      return 'pending';
    case 'PROCESSING':
      return 'processing';
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
    case 'MAX_RETRIES_REACHED':
      return 'failed';
    default:
      return undefined;
  }
}
