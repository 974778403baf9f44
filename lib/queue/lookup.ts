import { sql } from 'drizzle-orm';
import { rows, textArray, uuidArray } from './sql';
import { toJob } from './rows';
import { JOB_COLUMNS, type JobField } from './job-columns';
import type { Db, Job, JobStatus } from './types';

// Reads a workload makes of its own jobs: by the entity, correlation id or metadata it enqueued them
// with, oldest first within a queue, and the light state of a few jobs by id. Each is one LIMITed
// statement on an index the engine keeps (jobs_entity_idx, jobs_correlation_idx, jobs_browse_queue_idx,
// the claim index, the primary key).

/** The entity's newest job of `type` (ids carry the creation time), optionally only in `status`. */
export async function latestJobForEntity(
  db: Db,
  q: { entityType: string; entityId: string; type: string; status?: JobStatus },
): Promise<Job | null> {
  const inStatus = q.status ? sql`and status = ${q.status}::job_status` : sql``;
  const [row] = await rows(
    db,
    sql`select * from jobs
        where entity_type = ${q.entityType} and entity_id = ${q.entityId} and type = ${q.type} ${inStatus}
        order by id desc limit 1`,
  );
  return row ? toJob(row) : null;
}

/** The first job of `type` enqueued with this correlation id. */
export async function firstJobForCorrelationId(
  db: Db,
  q: { correlationId: string; type: string },
): Promise<Job | null> {
  const [row] = await rows(
    db,
    sql`select * from jobs where correlation_id = ${q.correlationId} and type = ${q.type}
        order by created_at, id limit 1`,
  );
  return row ? toJob(row) : null;
}

/**
 * The first job of `queue` and `type` whose metadata list `key` holds `value` (a value appended by
 * joinJob, say). No index covers metadata: this walks the queue's rows of that type.
 */
export async function firstJobWithMetadataItem(
  db: Db,
  q: { queue: string; type: string; key: string; value: string },
): Promise<Job | null> {
  const [row] = await rows(
    db,
    sql`select * from jobs where queue = ${q.queue} and type = ${q.type}
          and metadata -> ${q.key}::text @> jsonb_build_array(${q.value}::text)
        order by created_at, id limit 1`,
  );
  return row ? toJob(row) : null;
}

/**
 * Oldest first, at most `limit`: in claim order when only waiting statuses are asked for (the order
 * they will run in), else in creation order. `statuses: null` is every status; `stage: null` any stage.
 */
export async function listOldestJobs(
  db: Db,
  q: { queue: string; type: string; statuses: readonly JobStatus[] | null; stage: string | null; limit: number },
): Promise<Job[]> {
  const byStatus = q.statuses ? sql`and status = any(${textArray(q.statuses)}::job_status[])` : sql``;
  const byStage = q.stage ? sql`and stage = ${q.stage}` : sql``;
  const waiting = q.statuses?.every((s) => s === 'pending' || s === 'paused');
  const order = waiting ? sql`priority, run_at, id` : sql`id`;
  const found = await rows(
    db,
    sql`select * from jobs where queue = ${q.queue} and type = ${q.type} ${byStatus} ${byStage}
        order by ${order} limit ${q.limit}`,
  );
  return found.map(toJob);
}

/** What a client following a job (a toast, a progress bar) needs of it: no payload, result or metadata. */
const STATE_FIELDS = [
  'id',
  'type',
  'queue',
  'status',
  'stage',
  'progress',
  'attempts',
  'maxAttempts',
  'lastError',
  'runAt',
  'updatedAt',
] as const satisfies readonly JobField[];
export type JobState = Pick<Job, (typeof STATE_FIELDS)[number]>;

const STATE_SELECT = sql.raw(STATE_FIELDS.map((f) => JOB_COLUMNS[f].sql).join(', '));

/** The current state of each job that still exists, by primary key; ids that are not UUIDs match nothing. */
export async function getJobStates(db: Db, ids: readonly string[]): Promise<JobState[]> {
  if (ids.length === 0) return [];
  const found = await rows(db, sql`select ${STATE_SELECT} from jobs where id = any(${uuidArray(ids)})`);
  return found.map(toJobState);
}

// Decoded by the column table's own decoders: a call reads the few jobs a client follows, so a loop
// over the fields costs nothing that matters.
const toJobState = (r: Record<string, unknown>): JobState =>
  Object.fromEntries(STATE_FIELDS.map((f) => [f, JOB_COLUMNS[f].decode(r[JOB_COLUMNS[f].sql])])) as JobState;
