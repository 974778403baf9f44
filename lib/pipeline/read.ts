import 'server-only';
import {
  countCompletedSince,
  latestJobForEntity,
  listOldestJobs,
  type Db,
  type Job,
  type JobStatus,
} from '@/lib/queue';
import { PIPELINE_QUEUE, PIPELINE_TYPE } from './vocabulary';

// The pipeline's reads in its own words (an app, the pipeline's queue and type), each one bounded
// engine read: an app's jobs by entity, the lists oldest first, today's completions from the counters.

export const APP_ENTITY = 'app';

export function findAppJob(db: Db, appId: string, which: 'latest' | 'completed'): Promise<Job | null> {
  return latestJobForEntity(db, {
    entityType: APP_ENTITY,
    entityId: appId,
    type: PIPELINE_TYPE,
    ...(which === 'completed' ? { status: 'completed' as const } : {}),
  });
}

/** Oldest first, as the reference's poll promises: the claim order for waiting jobs, creation order otherwise. */
export function listPipelineJobs(
  db: Db,
  opts: { statuses: JobStatus[] | null; stage: string | null; limit: number },
): Promise<Job[]> {
  return listOldestJobs(db, { queue: PIPELINE_QUEUE, type: PIPELINE_TYPE, ...opts });
}

export function countPipelineCompletedSince(db: Db, since: Date): Promise<number> {
  return countCompletedSince(db, { type: PIPELINE_TYPE, since });
}
