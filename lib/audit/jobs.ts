import 'server-only';
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
import { isAuditType, isExternallyWorked } from './job-types';
import {
  canAuditTransition,
  toAuditHistory,
  toAuditStatus,
  toEnginePriority,
  toQueueMessage,
  VALID_TRANSITIONS,
} from './vocabulary';

/** createQueueJob(): one engine job carrying the reference's tracking fields. */
export async function createAuditedJob(db: Db, types: JobTypes, input: CreateJobInput, now: Date) {
  const type = (input.type ?? input.jobType)!;
  const def = types[type];
  const known = Object.keys(types)
    .filter((t) => isAuditType(types, t))
    .sort();
  if (!def) throw new QueueError('unknown_type', `Unknown job type "${type}"`, { field: 'type', known });
  if (!isAuditType(types, type)) {
    // A pipeline job made here would have no stage, a profile job no request_id dedup: each workload's
    // jobs come from its own routes, which set up what its workers expect.
    throw new QueueError(
      'invalid_input',
      `Jobs of type ${type} are made through their own workload's routes, not /api/jobs`,
      {
        field: 'type',
        known,
      },
    );
  }
  if (input.queueName && input.queueName !== def.queue) {
    throw new QueueError('invalid_input', `Job type ${type} runs on queue ${def.queue}, not ${input.queueName}`);
  }
  // entityName alone (the entity is made later): entity_id stays null.
  const entity =
    input.entity ??
    (input.entityName ? { name: input.entityName, id: input.entityId ?? (null as unknown as string) } : undefined);
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
  return toQueueMessage(job, { reported: isExternallyWorked(types, job.type) });
}

export async function getAuditedJob(db: Db, types: JobTypes, id: string) {
  const { job, events } = await getJobWithEvents(db, id);
  const reported = isExternallyWorked(types, job.type);
  return { ...toQueueMessage(job, { reported }), history: toAuditHistory(events, { reported }) };
}

export async function traceJobs(
  db: Db,
  types: JobTypes,
  q: { correlationId?: string; entityName?: string; entityId?: string; limit: number; cursor?: string },
) {
  const page = await listJobs(
    db,
    { correlationId: q.correlationId, entityType: q.entityName, entityId: q.entityId },
    { limit: q.limit, cursor: q.cursor },
  );
  return {
    items: page.items.map((j) => toQueueMessage(j, { reported: isExternallyWorked(types, j.type) })),
    nextCursor: page.nextCursor,
  };
}

const LEASE_MS = 10 * 60_000;

/**
 * updateQueueMessageStatus() for jobs an outside processor works: the reference's table decides what
 * may follow what, then the engine's guarded statement makes the move (on behalf of whoever holds
 * the lease, since the processor reports by job id only).
 */
export async function updateAuditedStatus(db: Db, types: JobTypes, id: string, input: UpdateStatusInput, now: Date) {
  const job = await getJob(db, id);
  if (!job) throw new QueueError('not_found', `Job ${id} not found`);
  if (!isExternallyWorked(types, job.type)) {
    throw new QueueError(
      'conflict',
      isAuditType(types, job.type) && types[job.type]?.handle
        ? `Jobs of type ${job.type} are worked in the app; their status is not set from outside`
        : `Jobs of type ${job.type} belong to another workload; their status is set through that workload's routes`,
    );
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
  return toQueueMessage(changed, { reported: true });
}

async function move(db: Db, job: Job, input: UpdateStatusInput, now: Date): Promise<Job> {
  const holder = { id: job.id, workerId: job.lockedBy ?? '', attempt: job.attempts, now };
  const error = input.error?.trim() || 'Reported as failed by the processor';
  switch (input.status) {
    case 'processing': {
      const claimed = await claimJobById(db, {
        id: job.id,
        workerId: `api:${randomUUID().slice(0, 8)}`,
        leaseMs: LEASE_MS,
        now,
        ignoreRunAt: true,
      });
      if (!claimed) throw new QueueError('conflict', `Job ${job.id} changed or its queue is paused; read it again`);
      return claimed;
    }
    case 'completed':
      return completeJob(db, { ...holder, result: input.result ?? null });
    case 'failed':
      if (job.status === 'processing') return failJob(db, { ...holder, error, permanent: true });
      return cancelJob(db, { id: job.id, now, actor: 'audit-api', reason: error });
    case 'retrying': {
      const policy = (await listQueues(db)).find((q) => q.name === job.queue)?.backoff ?? DEFAULT_BACKOFF;
      return failJob(db, { ...holder, error, policy });
    }
  }
}
