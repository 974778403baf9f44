import type { Job, JobEvent, JobStatus } from '@/lib/queue';

/**
 * The scrape → NLP pipeline's words (scrape-nlp-pipeline.md) and how they sit on the engine: one engine
 * job per app, its `stage` column carrying the reference's stage, its status mapped below. Everything
 * the /queue/* routes say or accept passes through this file.
 */
export const PIPELINE_TYPE = 'pipeline.app';
export const PIPELINE_QUEUE = 'pipeline';

export const STAGES = ['scraper', 'nlp', 'done'] as const;
export type Stage = (typeof STAGES)[number];
export const STATUSES = ['queued', 'processing', 'completed', 'error'] as const;
export type Status = (typeof STATUSES)[number];
/** Stages a worker can poll; `any` reads across them. */
export const WORK_STAGES = ['scraper', 'nlp'] as const;

export interface RefState {
  stage: Stage;
  status: Status;
}

const asStage = (s: string | null): Stage => (s === 'nlp' || s === 'done' ? s : 'scraper');

/**
 * pending and paused both read as `queued` (a paused job is waiting, just not claimable);
 * failed and cancelled both read as `error` — the reference has no separate word for an operator's cancel.
 */
export const STATUS_OF: Record<JobStatus, Status> = {
  pending: 'queued',
  paused: 'queued',
  processing: 'processing',
  completed: 'completed',
  failed: 'error',
  cancelled: 'error',
};

/** The engine statuses a reference status covers, for reads. */
export const ENGINE_STATUSES: Record<Status, JobStatus[]> = {
  queued: ['pending', 'paused'],
  processing: ['processing'],
  completed: ['completed'],
  error: ['failed', 'cancelled'],
};

export function refState(job: Pick<Job, 'status' | 'stage'>): RefState {
  return { stage: job.status === 'completed' ? 'done' : asStage(job.stage), status: STATUS_OF[job.status] };
}

export function errorMessage(job: Pick<Job, 'status' | 'lastError'>): string | null {
  if (job.status === 'cancelled') return job.lastError ?? 'Cancelled';
  if (job.status === 'failed') return job.lastError ?? 'Failed';
  return null;
}

/** The reference's job shape (poll lists, overview entries). */
export function toListItem(job: Job) {
  const { stage, status } = refState(job);
  return {
    job_id: job.id,
    app_id: appIdOf(job),
    stage,
    status,
    requested_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
  };
}

export const appIdOf = (job: Pick<Job, 'payload' | 'entityId'>): string =>
  job.entityId ?? String((job.payload as { app_id?: unknown } | null)?.app_id ?? '');

/** A job_history record; the job's creation is its first record, since insertion writes no event. */
export function toHistory(job: Job, events: JobEvent[]) {
  const first = { job_id: job.id, app_id: appIdOf(job), timestamp: job.createdAt.toISOString(), stage: 'scraper', status: 'queued' };
  return [
    first,
    ...events.map((e) => ({
      job_id: job.id,
      app_id: appIdOf(job),
      timestamp: e.at.toISOString(),
      stage: e.toStatus === 'completed' ? 'done' : asStage(e.stage),
      status: STATUS_OF[e.toStatus],
    })),
  ];
}

/** What an update asks the engine to do. */
export type UpdatePlan =
  | { kind: 'claim' }
  | { kind: 'heartbeat' }
  | { kind: 'advance'; to: 'nlp' }
  | { kind: 'finish' }
  | { kind: 'fail' }
  | { kind: 'cancel' }
  | { kind: 'reject'; reason: string };

const same = (a: RefState, b: RefState) => a.stage === b.stage && a.status === b.status;

/**
 * The reference's lifecycle table: scraper queued → processing → nlp queued → processing → done
 * completed; any unfinished state → error at its own stage. A repeated `processing` is the worker
 * confirming a job its poll already claimed: accepted, and it renews the lease.
 */
export function planUpdate(job: Pick<Job, 'status' | 'stage'>, target: RefState): UpdatePlan {
  const now = refState(job);
  const reject = (why: string): UpdatePlan => ({
    kind: 'reject',
    reason: `A job at (${now.stage}, ${now.status}) cannot move to (${target.stage}, ${target.status}): ${why}`,
  });
  if (now.status === 'completed' || now.status === 'error') return reject('it is finished');
  if (target.status === 'error') {
    if (target.stage !== now.stage) return reject(`an error is reported at the job's own stage, ${now.stage}`);
    return now.status === 'processing' ? { kind: 'fail' } : { kind: 'cancel' };
  }
  if (now.status === 'queued') {
    if (same(target, { stage: now.stage, status: 'processing' })) {
      return job.status === 'paused' ? reject('it is paused') : { kind: 'claim' };
    }
    return reject(`the next step is (${now.stage}, processing)`);
  }
  // processing
  if (same(target, now)) return { kind: 'heartbeat' };
  if (now.stage === 'scraper' && same(target, { stage: 'nlp', status: 'queued' })) return { kind: 'advance', to: 'nlp' };
  if (now.stage === 'nlp' && same(target, { stage: 'done', status: 'completed' })) return { kind: 'finish' };
  const next = now.stage === 'scraper' ? '(nlp, queued)' : '(done, completed)';
  return reject(`the next step is ${next}`);
}
