import 'server-only';
import { eq } from 'drizzle-orm';
import { users } from '@/drizzle/schema';
import {
  cancelJob,
  cancelJobs,
  getJobWithEvents,
  limitHolding,
  listJobs,
  retryJob,
  retryJobs,
  type Db,
  type JobFilter,
  type JobStatus,
} from '@/lib/queue';
import { wholeNumber } from '@/lib/whole-number';
import { CANCELLABLE, JobFilterInput, RETRIABLE, text } from './client/filters';
import { toJobDto, toJobEventDto, toJobSummaryDto } from './dto';
import type { JobDetailDto, JobPageDto } from './client/types';

/** Bulk actions on "everything matching" touch at most this many jobs per press. */
export const MAX_BULK = 1000;

// The list API's query: the filters plus paging. Here rather than beside the filters, since only the
// route parses it and wholeNumber is server code.
export const JobListQuery = JobFilterInput.extend({
  cursor: text(300),
  limit: wholeNumber(1, 100).default(25),
});

export function toEngineFilter(f: JobFilterInput, allowed?: readonly JobStatus[], now = new Date()): JobFilter {
  // Only pending jobs wait on a limit: the filter reads that branch alone.
  const chosen: JobStatus[] | undefined = f.status ? [f.status] : f.waiting ? ['pending'] : undefined;
  return {
    // A bulk action's own statuses narrow the filter's: "cancel all failed" matches nothing.
    statuses: allowed ? (chosen ?? allowed).filter((s) => allowed.includes(s)) : chosen,
    queue: f.queue,
    type: f.type,
    stage: f.stage,
    userId: f.user,
    search: f.q,
    waitingOnLimitAt: f.waiting === 'limit' ? now : undefined,
  };
}

export async function listJobPage(db: Db, q: JobFilterInput & { cursor?: string; limit: number }): Promise<JobPageDto> {
  const page = await listJobs(db, toEngineFilter(q), { limit: q.limit, cursor: q.cursor });
  return { items: page.items.map(toJobSummaryDto), nextCursor: page.nextCursor };
}

export async function getJobDetail(db: Db, id: string): Promise<JobDetailDto> {
  const { job, events } = await getJobWithEvents(db, id);
  const [user] = job.userId
    ? await db.select({ id: users.id, username: users.username }).from(users).where(eq(users.id, job.userId))
    : [];
  const waitingOn = await limitHolding(db, job, new Date());
  return { job: toJobDto(job), events: events.map(toJobEventDto), user: user ?? null, waitingOn };
}

/** Ids of jobs matching the filter in one of `allowed`, newest first, up to MAX_BULK. */
async function matchingIds(db: Db, filter: JobFilterInput, allowed: readonly JobStatus[]): Promise<string[]> {
  const engineFilter = toEngineFilter(filter, allowed);
  if (engineFilter.statuses?.length === 0) return [];
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await listJobs(db, engineFilter, { limit: 200, cursor });
    ids.push(...page.items.map((j) => j.id));
    cursor = page.nextCursor;
  } while (cursor && ids.length < MAX_BULK);
  return ids.slice(0, MAX_BULK);
}

export type Target = { ids: string[] } | { filter: JobFilterInput };

/**
 * Restarts failed or cancelled jobs. One id goes through retryJob so the operator hears why it could
 * not be retried (already queued under the same key, not finished); many are restarted best-effort.
 */
export async function retryTarget(db: Db, target: Target, opts: { now: Date; actor: string }): Promise<string[]> {
  if ('ids' in target && target.ids.length === 1) {
    return [(await retryJob(db, { id: target.ids[0], ...opts })).id];
  }
  const ids = 'ids' in target ? target.ids : await matchingIds(db, target.filter, RETRIABLE);
  if (ids.length === 0) return [];
  const restarted = await retryJobs(db, { ids, statuses: ['failed', 'cancelled'], limit: MAX_BULK }, opts);
  return restarted.map((j) => j.id);
}

export async function cancelTarget(db: Db, target: Target, opts: { now: Date; actor: string }): Promise<string[]> {
  if ('ids' in target && target.ids.length === 1) {
    return [(await cancelJob(db, { id: target.ids[0], ...opts })).id];
  }
  const ids = 'ids' in target ? target.ids : await matchingIds(db, target.filter, CANCELLABLE);
  return cancelJobs(db, { ids, ...opts });
}
