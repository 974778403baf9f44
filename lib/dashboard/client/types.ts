import type { Job, JobEvent, QueueStats, StatusCounts } from '@/lib/queue';
import type { JobStatus } from '@/lib/queue/browser';

// The shapes the dashboard API sends: dates travel as ISO strings. Shared by routes, pages and hooks,
// so this file imports types only and stays safe to bundle for the browser.

/** A job as JSON: the engine's row (one column table, lib/queue/job-columns.ts) with each Date as an ISO string. */
export type JobDto = {
  [K in keyof Job]: Job[K] extends Date ? string : Job[K] extends Date | null ? string | null : Job[K];
};

/** The fields only a job's own page shows; lists leave them out. */
export const DETAIL_ONLY_FIELDS = [
  'payload',
  'result',
  'metadata',
  'deferrals',
  'lockedBy',
  'lockedUntil',
  'failedProviders',
  'limitKey',
  'ownerKey',
] as const;

export type JobSummaryDto = Omit<JobDto, (typeof DETAIL_ONLY_FIELDS)[number]>;

/** A history row as JSON: the engine's JobEvent with its time as an ISO string. */
export type JobEventDto = Omit<JobEvent, 'jobId' | 'at'> & { at: string };

export interface JobDetailDto {
  job: JobDto;
  events: JobEventDto[];
  user: { id: string; username: string } | null;
  /** Why the job, though due, is not being started: a limit on its key or queue (null when none holds it). */
  waitingOn: string | null;
}

export interface JobPageDto {
  items: JobSummaryDto[];
  nextCursor: string | null;
}

export type StatusCountsDto = StatusCounts;

// The engine's stats with dates as ISO strings; paused queues travel inside `queues`.
export type StatsDto = Omit<QueueStats, 'generatedAt' | 'throughput' | 'pausedQueues'> & {
  generatedAt: string;
  throughput: { minute: string; completed: number; failed: number }[];
  queues: { name: string; paused: boolean }[];
  processing: JobSummaryDto[];
  recentCompleted: JobSummaryDto[];
  recentFailed: JobSummaryDto[];
  /** Per queue: how long its oldest due job has waited, and pickup (due → started) of recent completions. */
  latency: QueueLatencyDto[];
};

export interface QueueLatencyDto {
  queue: string;
  /** 0 when nothing in the queue is due. */
  oldestDueAgeMs: number;
  /** Null without completions to measure. */
  pickupP50Ms: number | null;
  pickupP95Ms: number | null;
}

/** What a toast needs to know about one job it follows. */
export interface TaskStatusDto {
  id: string;
  type: string;
  queue: string;
  status: JobStatus;
  stage: string | null;
  progress: string | null;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: string;
  updatedAt: string;
}

export interface TaskStatusesDto {
  tasks: TaskStatusDto[];
  /** Ids asked for that no longer exist (deleted by cleanup). */
  missing: string[];
}

export type PlatformName = 'github' | 'youtube' | 'twitter' | 'instagram';

export interface UserConnectionDto {
  platform: PlatformName;
  handle: string;
  enabled: boolean;
  private: boolean;
  lastSyncedAt: string | null;
}

export interface UserDto {
  id: string;
  username: string;
  displayName: string;
  timeZone: string;
  connections: UserConnectionDto[];
  privacy: Record<PlatformName, boolean>;
  lastSyncedAt: string | null;
}

/** Every action that starts or restarts jobs answers with their ids, so its toast can follow them. */
export interface EnqueuedDto {
  jobIds: string[];
  message: string;
}
