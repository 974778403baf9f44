import { sql, type SQL } from 'drizzle-orm';
import { rows, textArray, ts } from './sql';
import { toJob, toJobEvent } from './rows';
import { BROWSED, isUuid, JOB_STATUSES, QueueError, type Db, type Job, type JobEvent, type JobStatus } from './types';

export async function getJob(db: Db, id: string): Promise<Job | null> {
  if (!isUuid(id)) return null;
  const [row] = await rows(db, sql`select * from jobs where id = ${id}`);
  return row ? toJob(row) : null;
}

export async function getJobEvents(db: Db, jobId: string): Promise<JobEvent[]> {
  if (!isUuid(jobId)) return [];
  const found = await rows(db, sql`select * from job_events where job_id = ${jobId} order by id`);
  return found.map(toJobEvent);
}

export async function getJobWithEvents(db: Db, id: string): Promise<{ job: Job; events: JobEvent[] }> {
  const job = await getJob(db, id);
  if (!job) throw new QueueError('not_found', `Job ${id.slice(0, 80)} not found`);
  return { job, events: await getJobEvents(db, id) };
}

export interface JobFilter {
  statuses?: JobStatus[];
  queue?: string;
  queues?: string[];
  type?: string;
  stage?: string;
  userId?: string;
  correlationId?: string;
  entityType?: string;
  entityId?: string;
  /** Exact id, dedup key, correlation id or entity id, or a dedup-key prefix. */
  search?: string;
  /** Only due jobs a closed limit holds at this time (a cool-down, a full cap, a spent rate, a pause). */
  waitingOnLimitAt?: Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(job: Pick<Job, 'id'>): string {
  return Buffer.from(job.id).toString('base64url');
}

export function decodeCursor(cursor: string): { id: string } {
  // Cursors made before ids carried the creation time were "createdAt|id": the id alone still places them.
  const id = Buffer.from(cursor, 'base64url').toString().split('|').pop() ?? '';
  if (!isUuid(id)) throw new QueueError('invalid_input', 'cursor is not valid');
  return { id };
}

export function jobFilterSql(f: JobFilter): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.statuses?.length) parts.push(sql`status = any(${textArray(f.statuses)}::job_status[])`);
  if (f.queue) parts.push(sql`queue = ${f.queue}`);
  if (f.queues?.length) parts.push(sql`queue = any(${textArray(f.queues)})`);
  if (f.type) parts.push(sql`type = ${f.type}`);
  if (f.stage) parts.push(sql`stage = ${f.stage}`);
  if (f.userId) parts.push(isUuid(f.userId) ? sql`user_id = ${f.userId}` : sql`false`);
  if (f.correlationId) parts.push(sql`correlation_id = ${f.correlationId}`);
  if (f.entityType) parts.push(sql`entity_type = ${f.entityType}`);
  if (f.entityId) parts.push(sql`entity_id = ${f.entityId}`);
  if (f.waitingOnLimitAt) {
    const now = ts(f.waitingOnLimitAt);
    // The closed limits are found once (an uncorrelated subquery), then matched against each row.
    parts.push(sql`status = 'pending' and run_at <= ${now} and exists (
      select 1 from unnest((select array_agg(l.key) from limits l cross join lateral steady_limit_room(l.key, ${now}, false) room
                            where room.cap = 0)) closed(key)
      where steady_limit_covers(closed.key, queue, limit_key))`);
  }
  if (f.search) {
    const q = f.search;
    const byId = isUuid(q) ? sql`id = ${q} or user_id = ${q} or` : sql``;
    const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    parts.push(
      sql`(${byId} correlation_id = ${q} or entity_id = ${q} or dedup_key = ${q} or dedup_key like ${prefix})`,
    );
  }
  return sql.join(parts, sql` and `);
}

// Statuses as a literal, not a parameter: the planner can only use a partial index when it can prove
// the query's status test implies the index's, which takes constants. Values come from JOB_STATUSES.
const statusIn = (statuses: readonly JobStatus[]) => sql.raw(`status = any('{${statuses.join(',')}}'::job_status[])`);

/**
 * Newest first (ids carry the creation time), keyset-paginated on id so a page costs the same at any
 * depth. One branch per index family, each ordered and limited, then merged: settled rows through the
 * browsing indexes, pending and processing rows through the engine's own, and the primary key where a
 * filter matches most rows anyway.
 */
export async function listJobs(
  db: Db,
  filter: JobFilter,
  page: { limit?: number; cursor?: string | null } = {},
): Promise<Page<Job>> {
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const keyset = after ? sql`and id < ${after.id}::uuid` : sql``;
  const wanted = filter.statuses?.length ? JOB_STATUSES.filter((s) => filter.statuses!.includes(s)) : JOB_STATUSES;
  const browsed = wanted.filter((s) => BROWSED.includes(s));
  const groups = [browsed, ...wanted.filter((s) => !BROWSED.includes(s)).map((s) => [s])].filter((g) => g.length > 0);
  const where = jobFilterSql({ ...filter, statuses: undefined });
  const branches = groups.map(
    (g) => sql`(select * from jobs where ${where} and ${statusIn(g)} ${keyset} order by id desc limit ${limit + 1})`,
  );
  const found = await rows(
    db,
    branches.length === 1
      ? branches[0]
      : sql`select * from (${sql.join(branches, sql` union all `)}) x order by id desc limit ${limit + 1}`,
  );
  const items = found.slice(0, limit).map(toJob);
  return { items, nextCursor: found.length > limit ? encodeCursor(items[items.length - 1]) : null };
}
