import 'server-only';
import { isLeaseExpiry, type Job, type JobEvent, type JobStatus } from '@/lib/queue';

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

/**
 * The public error_message: the worker's own text as it reported it. The engine's lease-expiry note names
 * an internal worker id, so it reads as a neutral line here (the full text stays in the job's history).
 */
export function errorMessage(job: Pick<Job, 'status' | 'lastError'>): string | null {
  if (job.status !== 'cancelled' && job.status !== 'failed') return null;
  if (isLeaseExpiry(job.lastError)) return 'The worker stopped answering before it finished';
  return job.lastError ?? (job.status === 'cancelled' ? 'Cancelled' : 'Failed');
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
  const first = {
    job_id: job.id,
    app_id: appIdOf(job),
    timestamp: job.createdAt.toISOString(),
    stage: 'scraper',
    status: 'queued',
  };
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
  /** The stage's result sent without a `processing` update first: start and finish the stage at once. */
  | { kind: 'claim-advance'; to: 'nlp' }
  | { kind: 'claim-finish' }
  | { kind: 'fail' }
  | { kind: 'cancel' }
  /** The job already went past (or is at) the asked state: a repeat answered with the current state. */
  | { kind: 'noop' }
  | { kind: 'reject'; reason: string };

/** The lifecycle in order; `error` sits outside it. */
const STEP: Record<string, number> = {
  'scraper:queued': 0,
  'scraper:processing': 1,
  'nlp:queued': 2,
  'nlp:processing': 3,
  'done:completed': 4,
};
const step = (s: RefState): number | undefined => STEP[`${s.stage}:${s.status}`];

/**
 * The reference's lifecycle table: scraper queued → processing → nlp queued → processing → done
 * completed; any unfinished state → error at its own stage. Updates are idempotent: a state the job is
 * at or already went past (a worker re-sending after a timeout) answers the current state and changes
 * nothing, except that a repeated `processing` renews the holder's lease. A stage's result sent without
 * the `processing` update before it starts and finishes that stage in one go.
 */
export function planUpdate(job: Pick<Job, 'status' | 'stage'>, target: RefState): UpdatePlan {
  const now = refState(job);
  const reject = (why: string): UpdatePlan => ({
    kind: 'reject',
    reason: `A job at (${now.stage}, ${now.status}) cannot move to (${target.stage}, ${target.status}): ${why}`,
  });
  const at = step(now);
  const to = step(target);
  if (now.status === 'error') {
    if (target.status === 'error' && target.stage === now.stage) return { kind: 'noop' };
    const reached = step({ stage: now.stage, status: 'queued' })!;
    if (to !== undefined && to < reached) return { kind: 'noop' };
    return reject('it is finished');
  }
  if (target.status === 'error') {
    if (now.status === 'completed') return reject('it is finished');
    if (target.stage !== now.stage) return reject(`an error is reported at the job's own stage, ${now.stage}`);
    return now.status === 'processing' ? { kind: 'fail' } : { kind: 'cancel' };
  }
  if (to === undefined || at === undefined) {
    return reject('the steps are (scraper, queued|processing), (nlp, queued|processing), (done, completed)');
  }
  if (to < at) return { kind: 'noop' };
  if (to === at) return now.status === 'processing' ? { kind: 'heartbeat' } : { kind: 'noop' };
  if (now.status === 'queued') {
    if (job.status === 'paused') return reject('it is paused');
    if (to === at + 1) return { kind: 'claim' };
    if (to === at + 2) return now.stage === 'scraper' ? { kind: 'claim-advance', to: 'nlp' } : { kind: 'claim-finish' };
    return reject(`the next step is (${now.stage}, processing)`);
  }
  if (to === at + 1) return now.stage === 'scraper' ? { kind: 'advance', to: 'nlp' } : { kind: 'finish' };
  return reject(`the next step is ${now.stage === 'scraper' ? '(nlp, queued)' : '(done, completed)'}`);
}
