import 'server-only';
import { enqueueJob, type Db, type JobTypes } from '@/lib/queue';
import { APP_ENTITY, findAppJob } from './read';
import { PIPELINE_TYPE, refState } from './vocabulary';

export type AddResponse =
  | { status: 'exists'; message: 'Already done' }
  | { status: 'queued_already'; stage: string; current_status: string; job_id: string }
  | { status: 'queued'; stage: 'scraper'; job_id: string };

export const dedupKeyFor = (appId: string) => `pipeline:${appId}`;

/**
 * POST /queue/add. The dedup key makes "already in queue" atomic: concurrent adds of one app create
 * one job. An app whose last job ended in error is queued again (the reference's "exists" is for done work).
 */
export async function addApp(db: Db, types: JobTypes, opts: { appId: string; now: Date }): Promise<AddResponse> {
  if (await findAppJob(db, opts.appId, 'completed')) return { status: 'exists', message: 'Already done' };
  const { job, created } = await enqueueJob(
    db,
    types,
    {
      type: PIPELINE_TYPE,
      payload: { app_id: opts.appId },
      stage: 'scraper',
      dedupKey: dedupKeyFor(opts.appId),
      entity: { type: APP_ENTITY, id: opts.appId },
    },
    { now: opts.now },
  );
  if (created) return { status: 'queued', stage: 'scraper', job_id: job.id };
  const state = refState(job);
  return { status: 'queued_already', stage: state.stage, current_status: state.status, job_id: job.id };
}
