import { randomUUID } from 'node:crypto';
import {
  cancelJob,
  claimJobById,
  completeJob,
  enqueueJob,
  failJob,
  getJob,
  getJobWithEvents,
  listJobs,
  listQueues,
  DEFAULT_BACKOFF,
  QueueError,
  type Db,
  type Job,
  type JobTypes,
} from '@/lib/queue';
import type { CreateJobInput, UpdateStatusInput } from './schemas';
import { EXTERNALLY_WORKED } from './job-types';
import { canAuditTransition, toAuditHistory, toAuditStatus, toEnginePriority, toQueueMessage, VALID_TRANSITIONS } from './vocabulary';

/** createQueueJob(): one engine job carrying the reference's tracking fields. */
export async function createAuditedJob(db: Db, types: JobTypes, input: CreateJobInput, now: Date) {
  const type = (input.type ?? input.jobType)!;
  const def = types[type];
  if (!def) throw new QueueError('unknown_type', `Unknown job type "${type}"`, { known: Object.keys(types).sort() });
  if (input.queueName && input.queueName !== def.queue) {
    throw new QueueError('invalid_input', `Job type ${type} runs on queue ${def.queue}, not ${input.queueName}`);
  }
  const entity = input.entity ?? (input.entityName ? { name: input.entityName, id: input.entityId! } : undefined);
  const { job } = await enqueueJob(
    db,
    types,
    {
      type,
      payload: input.payload,
      priority: toEnginePriority(input.priority),
      maxAttempts: input.maxAttempts,
      delayMs: input.delayMs,
      correlationId: input.correlationId ?? randomUUID(),
      userId: input.userId,
      entity: entity ? { type: entity.name, id: entity.id } : undefined,
      metadata: input.metadata,
    },
    { now },
  );
  return toQueueMessage(job);
}

export async function getAuditedJob(db: Db, id: string) {
  const { job, events } = await getJobWithEvents(db, id);
  return { ...toQueueMessage(job), history: toAuditHistory(events) };
}

export async function traceJobs(
  db: Db,
  q: { correlationId?: string; entityName?: string; entityId?: string; limit: number; cursor?: string },
) {
  const page = await listJobs(
    db,
    { correlationId: q.correlationId, entityType: q.entityName, entityId: q.entityId },
    { limit: q.limit, cursor: q.cursor },
  );
  return { items: page.items.map(toQueueMessage), nextCursor: page.nextCursor };
}

const LEASE_MS = 10 * 60_000;

/**
 * updateQueueMessageStatus() for jobs an outside processor works: the reference's table decides what
 * may follow what, then the engine's guarded statement makes the move (on behalf of whoever holds
 * the lease, since the processor reports by job id only).
 */
export async function updateAuditedStatus(db: Db, id: string, input: UpdateStatusInput, now: Date) {
  const job = await getJob(db, id);
  if (!job) throw new QueueError('not_found', `Job ${id} not found`);
  if (!EXTERNALLY_WORKED.has(job.type)) {
    throw new QueueError('conflict', `Jobs of type ${job.type} are worked in the app; their status is not set from outside`);
  }
  const from = toAuditStatus(job);
  if (!canAuditTransition(from, input.status)) {
    throw new QueueError('invalid_transition', `A ${from} job cannot become ${input.status}`, {
      from,
      to: input.status,
      allowed: VALID_TRANSITIONS[from],
    });
  }
  const changed = await move(db, job, input, now);
  return toQueueMessage(changed);
}

async function move(db: Db, job: Job, input: UpdateStatusInput, now: Date): Promise<Job> {
  const holder = { id: job.id, workerId: job.lockedBy ?? '', attempt: job.attempts, now };
  const error = input.error?.trim() || 'Reported as failed by the processor';
  switch (input.status) {
    case 'processing': {
      const claimed = await claimJobById(db, { id: job.id, workerId: `api:${randomUUID().slice(0, 8)}`, leaseMs: LEASE_MS, now, ignoreRunAt: true });
      if (!claimed) throw new QueueError('conflict', `Job ${job.id} changed or its queue is paused; read it again`);
      return claimed;
    }
    case 'completed':
      return completeJob(db, { ...holder, result: input.result ?? null });
    case 'failed':
      if (job.status === 'processing') return failJob(db, { ...holder, error, permanent: true });
      return cancelJob(db, { id: job.id, now, actor: 'audit-api' });
    case 'retrying': {
      const policy = (await listQueues(db)).find((q) => q.name === job.queue)?.backoff ?? DEFAULT_BACKOFF;
      return failJob(db, { ...holder, error, policy });
    }
  }
}
