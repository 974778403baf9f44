import 'server-only';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import {
  enqueueJob,
  firstJobForCorrelationId,
  firstJobWithMetadataItem,
  joinJob,
  latestJobForEntity,
  pauseJob,
  QueueError,
  type Db,
  type Job,
  type JobTypes,
} from '@/lib/queue';
import { hasNothingToRead } from './import';
import type { RequestInput } from './schemas';
import {
  dedupKeyFor,
  ENGINE_PRIORITY,
  PROFILE_ENTITY,
  PROFILE_QUEUE,
  PROFILE_TYPE,
  profileKey,
  STATUS_OF,
  toProfilePriority,
} from './vocabulary';

export interface ProfileRequestResult {
  job: Job;
  /** This request's own id (sent, or made up when absent). */
  requestId: string;
  created: boolean;
  /** The same request_id was seen before: this is the job it resolved to then. */
  duplicate: boolean;
  /** A new request_id for a username with an unfinished request: it joined that job, and resolves to it for good. */
  joined: boolean;
  /** Joining raised the waiting job's priority (a HIGH request behind a LOW one). */
  priorityRaised: boolean;
}

/** Where a joined request's id is kept on the job, so findByRequestId resolves it for good. */
const JOINED_IDS = 'request_ids';

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
  // Refused here, not queued to fail.
  if (await hasNothingToRead(db, input.username, input.platforms)) {
    throw new QueueError(
      'invalid_input',
      `username: ${input.username} is not a GitHub username, and no platforms were sent; send platforms with the handles to read`,
      {
        field: 'username',
      },
    );
  }
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
      if (first)
        return { job: first, requestId, created: false, duplicate: true, joined: false, priorityRaised: false };
    }
    // Twice at most: a joined job that finished in between frees its dedup key for a new job.
    for (let round = 0; round < 2; round++) {
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
          metadata: {
            source: input.source,
            request_id: requestId,
            priority: input.priority,
            ...(input.timestamp ? { timestamp: input.timestamp } : {}),
          },
        },
        { now: input.now },
      );
      const base = { requestId, duplicate: false };
      if (created) {
        // Paused inside the enqueue's transaction: no claim can see the job before it is paused.
        const out = input.paused ? await pauseJob(tx, { id: job.id, now: input.now, actor: 'profile-api' }) : job;
        return { ...base, job: out, created: true, joined: false, priorityRaised: false };
      }
      const joined = await joinJob(tx, {
        id: job.id,
        now: input.now,
        raisePriorityTo: ENGINE_PRIORITY[input.priority],
        append: { key: JOINED_IDS, value: requestId },
        actor: 'profile-api',
        message: `Request ${requestId} (${input.priority}, source ${input.source}) joined this request`,
      });
      if (joined)
        return { ...base, job: joined, created: false, joined: true, priorityRaised: joined.priority < job.priority };
    }
    throw new QueueError('conflict', 'The request for this username kept changing; try again');
  });
}

/**
 * The job a request_id resolved to: the one it created (jobs_correlation_idx), else the one it joined
 * (its id in metadata.request_ids; a walk of the profile queue's rows only).
 */
export async function findByRequestId(db: Db, requestId: string): Promise<Job | null> {
  return (
    (await firstJobForCorrelationId(db, { correlationId: requestId, type: PROFILE_TYPE })) ??
    firstJobWithMetadataItem(db, { queue: PROFILE_QUEUE, type: PROFILE_TYPE, key: JOINED_IDS, value: requestId })
  );
}

/** The username's latest request (jobs_entity_idx). */
export function latestProfileJob(db: Db, username: string): Promise<Job | null> {
  return latestJobForEntity(db, { entityType: PROFILE_ENTITY, entityId: profileKey(username), type: PROFILE_TYPE });
}

export function toRequestResponse(r: ProfileRequestResult, username: string) {
  return {
    job_id: r.job.id,
    request_id: r.requestId,
    username,
    status: STATUS_OF[r.job.status],
    priority: toProfilePriority(r.job.priority),
    created: r.created,
    duplicate: r.duplicate,
    joined: r.joined,
    priority_raised: r.priorityRaised,
    message: r.created
      ? 'Queued'
      : r.duplicate
        ? 'This request_id was already received; this is its job'
        : `This username already has a request in progress; this request joined it${r.priorityRaised ? ' and raised it to HIGH' : ''}`,
  };
}
