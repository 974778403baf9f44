import 'server-only';
import {
  advanceStage,
  cancelJob,
  claimJobById,
  extendLease,
  failJob,
  getJob,
  QueueError,
  type Db,
  type Job,
} from '@/lib/queue';
import { workerIdFor } from './poll';
import type { UpdateInput } from './schemas';
import { JOB_NOT_FOUND } from './views';
import { PIPELINE_TYPE, planUpdate, refState, toListItem, type UpdatePlan } from './vocabulary';

type Input = UpdateInput & { jobId: string; now: Date };
type Plan = Exclude<UpdatePlan, { kind: 'reject' }>;

/**
 * POST /queue/{job_id}/update. The reference's workers do not say who they are, so an update acts for
 * whoever holds the job (its poll's hand-out, or its lease once started), through the same guarded
 * statements a holder would use (matching locked_by and attempt); a worker that sent `worker` with its
 * poll may send it here too, and then only its own hand-out or claim is touched. An update the job
 * already went past is a repeat: 200 with the current state and `noop: true`. A guard that misses means
 * the job moved underneath: read and plan again, a couple of times, before giving up with 409.
 */
export async function updatePipelineJob(db: Db, input: Input) {
  for (let round = 0; round < 3; round++) {
    const job = await getJob(db, input.jobId);
    if (!job || job.type !== PIPELINE_TYPE) throw new QueueError('not_found', JOB_NOT_FOUND);
    const plan = planUpdate(job, { stage: input.stage, status: input.status });
    if (plan.kind === 'reject') {
      throw new QueueError('invalid_transition', plan.reason, { current: refState(job) });
    }
    if (plan.kind === 'noop') return { ...toListItem(job), noop: true };
    if (input.worker && heldByAnother(job, workerIdFor(input.worker), input.now)) {
      throw new QueueError('conflict', `Job ${job.id} is held by another worker`, { current: refState(job) });
    }
    const changed = await apply(db, job, plan, input).catch((err) => {
      if (err instanceof QueueError && (err.code === 'conflict' || err.code === 'invalid_transition')) return null;
      throw err;
    });
    if (changed) return { ...toListItem(changed), ...(plan.kind === 'heartbeat' ? { noop: true } : {}) };
  }
  throw new QueueError('conflict', 'The job kept changing while it was being updated; try again');
}

/** Running under another worker's lease, or handed out to another worker whose hold has not passed. */
function heldByAnother(job: Job, me: string, now: Date): boolean {
  if (job.status === 'processing') return job.lockedBy !== me;
  const holding = job.lockedBy !== null && job.lockedUntil !== null && job.lockedUntil > now;
  return job.status === 'pending' && holding && job.lockedBy !== me;
}

async function apply(db: Db, job: Job, plan: Exclude<Plan, { kind: 'noop' }>, input: Input): Promise<Job | null> {
  const { now } = input;
  const leaseMs = input.lease_s * 1000;
  const stage = job.stage ?? 'scraper';
  // The confirmed start: the only step that spends an attempt.
  const start = () =>
    claimJobById(db, {
      id: job.id,
      workerId: workerIdFor(input.worker),
      leaseMs,
      now,
      stage,
      types: [PIPELINE_TYPE],
      ignoreRunAt: true,
    });
  const holderOf = (j: Job) => ({ workerId: j.lockedBy ?? '', attempt: j.attempts });
  const advance = (j: Job) =>
    advanceStage(db, { id: j.id, from: stage, to: 'nlp', now, ...holderOf(j), message: `${stage} done` });
  const finish = (j: Job) =>
    advanceStage(db, {
      id: j.id,
      from: stage,
      to: 'done',
      finish: true,
      result: input.result ?? null,
      now,
      ...holderOf(j),
    });
  switch (plan.kind) {
    case 'claim':
      return start();
    case 'claim-advance':
    case 'claim-finish': {
      const started = await start();
      if (!started) return null;
      return plan.kind === 'claim-advance' ? advance(started) : finish(started);
    }
    case 'heartbeat':
      return (await extendLease(db, { id: job.id, ...holderOf(job), leaseMs, now })) ? getJob(db, job.id) : null;
    case 'advance':
      return advance(job);
    case 'finish':
      return finish(job);
    case 'fail':
      return failJob(db, { id: job.id, ...holderOf(job), now, permanent: true, error: reported(input, stage) });
    case 'cancel':
      // Reported while waiting: it reads `error` at its stage with the worker's message, and spends no attempt.
      return cancelJob(db, { id: job.id, now, actor: 'pipeline-api', reason: reported(input, stage) });
  }
}

const reported = (input: Input, stage: string) =>
  input.error_message?.trim() || `Reported as error by the ${stage} worker`;
