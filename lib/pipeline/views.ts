import 'server-only';
import { getJobWithEvents, QueueError, type Db } from '@/lib/queue';
import { countPipelineCompletedSince, findAppJob, listPipelineJobs } from './read';
import { errorMessage, PIPELINE_TYPE, refState, toHistory, toListItem } from './vocabulary';

export const JOB_NOT_FOUND = 'Job not found';

/** GET /queue/status/{app_id}: the app's latest job. */
export async function appStatus(db: Db, appId: string) {
  const job = await findAppJob(db, appId, 'latest');
  if (!job) throw new QueueError('not_found', JOB_NOT_FOUND);
  const { stage, status } = refState(job);
  return {
    status,
    stage,
    requested_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    job_id: job.id,
    error_message: errorMessage(job),
  };
}

// The overview lists at most this many active jobs, oldest first; `active_jobs_truncated` says when more exist.
const OVERVIEW_LIMIT = 500;

/** GET /queue/overview. "Today" is the UTC day. */
export async function pipelineOverview(db: Db, now: Date) {
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const [active, doneToday] = await Promise.all([
    listPipelineJobs(db, { statuses: ['pending', 'processing', 'paused'], stage: null, limit: OVERVIEW_LIMIT + 1 }),
    countPipelineCompletedSince(db, dayStart),
  ]);
  return {
    timestamp: now.toISOString(),
    active_jobs: active.slice(0, OVERVIEW_LIMIT).map(toListItem),
    active_jobs_truncated: active.length > OVERVIEW_LIMIT,
    done_jobs_today: doneToday,
  };
}

/** GET /queue/{job_id}/history: the engine's events in the reference's job_history shape. */
export async function pipelineHistory(db: Db, jobId: string) {
  const found = await getJobWithEvents(db, jobId).catch((err) => {
    if (err instanceof QueueError && err.code === 'not_found') return null;
    throw err;
  });
  if (!found || found.job.type !== PIPELINE_TYPE) throw new QueueError('not_found', JOB_NOT_FOUND);
  return toHistory(found.job, found.events);
}
