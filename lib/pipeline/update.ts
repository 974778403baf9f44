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

/**
 * POST /queue/{job_id}/update. The reference's workers do not say who they are, so an update acts for
 * whoever holds the job's lease, through the same guarded statements a lease holder would use
 * (matching locked_by and attempt); a worker that sent `worker` with its poll may send it here too, and
 * then only its own claim is touched. A guard that misses means the job moved underneath: read and
 * plan again, a couple of times, before giving up with 409.
 */
export async function updatePipelineJob(db: Db, input: Input) {
  for (let round = 0; round < 3; round++) {
    const job = await getJob(db, input.jobId);
    if (!job || job.type !== PIPELINE_TYPE) throw new QueueError('not_found', JOB_NOT_FOUND);
    if (input.worker && job.status === 'processing' && job.lockedBy !== workerIdFor(input.worker)) {
      throw new QueueError('conflict', `Job ${job.id} is held by another worker`, { current: refState(job) });
    }
    const plan = planUpdate(job, { stage: input.stage, status: input.status });
    if (plan.kind === 'reject') {
      throw new QueueError('invalid_transition', plan.reason, { current: refState(job) });
    }
    const changed = await apply(db, job, plan, input).catch((err) => {
      if (err instanceof QueueError && (err.code === 'conflict' || err.code === 'invalid_transition')) return null;
      throw err;
    });
    if (changed) return { ...toListItem(changed), ...(plan.kind === 'heartbeat' ? { noop: true } : {}) };
  }
  throw new QueueError('conflict', 'The job kept changing while it was being updated; try again');
}

async function apply(db: Db, job: Job, plan: Exclude<UpdatePlan, { kind: 'reject' }>, input: Input): Promise<Job | null> {
  const { now } = input;
  const leaseMs = input.lease_s * 1000;
  const holder = { workerId: job.lockedBy ?? '', attempt: job.attempts };
  const stage = job.stage ?? 'scraper';
  switch (plan.kind) {
    case 'claim':
      return claimJobById(db, {
        id: job.id, workerId: workerIdFor(input.worker), leaseMs, now, stage, types: [PIPELINE_TYPE],
      });
    case 'heartbeat':
      return (await extendLease(db, { id: job.id, ...holder, leaseMs, now })) ? getJob(db, job.id) : null;
    case 'advance':
      return advanceStage(db, { id: job.id, from: stage, to: plan.to, now, ...holder, message: `${stage} done` });
    case 'finish':
      return advanceStage(db, {
        id: job.id, from: stage, to: 'done', finish: true, result: input.result ?? null, now, ...holder,
      });
    case 'fail':
      return failJob(db, {
        id: job.id, ...holder, now, permanent: true,
        error: input.error_message?.trim() || `Reported as error by the ${stage} worker`,
      });
    case 'cancel':
      return cancelJob(db, { id: job.id, now, actor: 'pipeline-api' });
  }
}
