import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { enqueueJob, pauseJob, QueueError, type Db, type Job, type JobTypes } from '@/lib/queue';
import { rows } from '@/lib/queue/sql';
import { toJob } from '@/lib/queue/rows';
import type { RequestInput } from './schemas';
import {
  dedupKeyFor,
  ENGINE_PRIORITY,
  PROFILE_ENTITY,
  PROFILE_TYPE,
  profileKey,
  STATUS_OF,
  toProfilePriority,
} from './vocabulary';

export interface ProfileRequestResult {
  job: Job;
  created: boolean;
  /** The same request_id was seen before: this is the job its first request created. */
  duplicate: boolean;
}

/**
 * POST /api/profile/{username}/request. request_id must de-duplicate for ever, but the engine's dedup key
 * only covers unfinished jobs, so the request_id is also the job's correlation id (indexed, kept with
 * the job) and looked up first. A transaction-scoped advisory lock on the request_id makes
 * look-up-then-enqueue atomic: ten identical requests at once queue behind it and nine find the first's
 * job. The username's dedup key then returns an unfinished request for the same username.
 */
export async function requestProfile(
  db: Db,
  types: JobTypes,
  input: RequestInput & { username: string; now: Date },
): Promise<ProfileRequestResult> {
  const requestId = input.request_id ?? `req_${randomUUID()}`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('steady.profile-request'), hashtext(${requestId}))`);
    if (input.request_id) {
      const first = await findByRequestId(tx, requestId);
      if (first && first.entityId !== profileKey(input.username)) {
        throw new QueueError('conflict', `request_id ${requestId} was already used for another username`, {
          request_id: requestId,
          job_id: first.id,
        });
      }
      if (first) return { job: first, created: false, duplicate: true };
    }
    const { job, created } = await enqueueJob(
      tx,
      types,
      {
        type: PROFILE_TYPE,
        payload: { username: input.username, source: input.source, requestId, platforms: input.platforms ?? {} },
        priority: ENGINE_PRIORITY[input.priority],
        dedupKey: dedupKeyFor(input.username),
        correlationId: requestId,
        entity: { type: PROFILE_ENTITY, id: profileKey(input.username) },
        metadata: { source: input.source, request_id: requestId, priority: input.priority },
      },
      { now: input.now },
    );
    // Paused inside the enqueue's transaction: no claim can see the job before it is paused.
    if (created && input.paused) return { job: await pauseJob(tx, { id: job.id, now: input.now, actor: 'profile-api' }), created, duplicate: false };
    return { job, created, duplicate: false };
  });
}

/** The first job a request_id created (jobs_correlation_idx). */
export async function findByRequestId(db: Db, requestId: string): Promise<Job | null> {
  const [row] = await rows(
    db,
    sql`select * from jobs where correlation_id = ${requestId} and type = ${PROFILE_TYPE}
        order by created_at, id limit 1`,
  );
  return row ? toJob(row) : null;
}

/** The username's latest request (jobs_entity_idx). */
export async function latestProfileJob(db: Db, username: string): Promise<Job | null> {
  const [row] = await rows(
    db,
    sql`select * from jobs where entity_type = ${PROFILE_ENTITY} and entity_id = ${profileKey(username)}
          and type = ${PROFILE_TYPE}
        order by created_at desc, id desc limit 1`,
  );
  return row ? toJob(row) : null;
}

export function toRequestResponse(r: ProfileRequestResult, username: string) {
  return {
    job_id: r.job.id,
    request_id: r.job.correlationId,
    username,
    status: STATUS_OF[r.job.status],
    priority: toProfilePriority(r.job.priority),
    created: r.created,
    duplicate: r.duplicate,
    message: r.created
      ? 'Queued'
      : r.duplicate
        ? 'This request_id was already received; this is its job'
        : 'This username already has a request in progress; this is its job',
  };
}
