import 'server-only';
import { JOB_FIELDS, type Job, type JobEvent, type QueueStats } from '@/lib/queue';
import { DETAIL_ONLY_FIELDS, type JobDto, type JobEventDto, type JobSummaryDto, type StatsDto } from './client/types';

const DETAIL_ONLY = new Set<string>(DETAIL_ONLY_FIELDS);

/** The row's fields, walked from the engine's column table, so a new column reaches the API without an edit here. */
function toJson(j: Job, keep: (field: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of JOB_FIELDS) {
    if (!keep(field)) continue;
    const v = j[field];
    out[field] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

export const toJobSummaryDto = (j: Job) => toJson(j, (f) => !DETAIL_ONLY.has(f)) as JobSummaryDto;
export const toJobDto = (j: Job) => toJson(j, () => true) as JobDto;

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
