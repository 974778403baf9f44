import 'server-only';
import type { Job, JobEvent, QueueStats } from '@/lib/queue';
import type { JobDto, JobEventDto, JobSummaryDto, StatsDto } from './client/types';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toJobSummaryDto(j: Job): JobSummaryDto {
  return {
    id: j.id,
    queue: j.queue,
    type: j.type,
    status: j.status,
    stage: j.stage,
    progress: j.progress,
    priority: j.priority,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    lastError: j.lastError,
    dedupKey: j.dedupKey,
    correlationId: j.correlationId,
    userId: j.userId,
    entityType: j.entityType,
    entityId: j.entityId,
    runAt: j.runAt.toISOString(),
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
    startedAt: iso(j.startedAt),
    completedAt: iso(j.completedAt),
    durationMs: j.durationMs,
  };
}

export function toJobDto(j: Job): JobDto {
  return {
    ...toJobSummaryDto(j),
    payload: j.payload,
    result: j.result,
    metadata: j.metadata,
    deferrals: j.deferrals,
    lockedBy: j.lockedBy,
    lockedUntil: iso(j.lockedUntil),
    failedProviders: j.failedProviders,
    limitKey: j.limitKey,
    ownerKey: j.ownerKey,
  };
}

export function toJobEventDto(e: JobEvent): JobEventDto {
  const { jobId: _jobId, at, ...rest } = e;
  return { ...rest, at: at.toISOString() };
}

export function toStatsDto(
  s: QueueStats,
  extra: Pick<StatsDto, 'queues' | 'processing' | 'recentCompleted' | 'recentFailed' | 'latency'>,
): StatsDto {
  const { generatedAt, throughput, pausedQueues: _paused, ...counts } = s;
  return {
    ...counts,
    generatedAt: generatedAt.toISOString(),
    throughput: throughput.map((t) => ({ ...t, minute: t.minute.toISOString() })),
    ...extra,
  };
}
