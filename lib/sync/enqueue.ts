import 'server-only';
import { sql } from 'drizzle-orm';
import { enqueueFromSelect, enqueueJobs, PRIORITY, QueueError, uuidArray, type Db } from '@/lib/queue';
import { addDays, isCalendarDate, todayUtc } from './dates';
import { syncEnqueueTypes } from './payload';
import { PLATFORMS, SYNC_JOB_TYPE, SYNC_QUEUE, syncDedupKey, type Platform } from './platforms';
import { findUnknownUserIds, getUser, listConnections } from './users';

// The 00:00 UTC run is the first after yesterday ended; without a last pass, yesterday's final hours
// (after the 18:00 run) would never be fetched.
const CATCH_UP_HOURS = 6;

/** What sync-all syncs when no date is given: today (UTC), and yesterday during the first hours of a day. */
export function defaultSyncDates(now: Date): string[] {
  const today = todayUtc(now);
  return now.getUTCHours() < CATCH_UP_HOURS ? [addDays(today, -1), today] : [today];
}

function checkDates(dates: readonly string[]): void {
  const bad = dates.find((d) => !isCalendarDate(d));
  if (bad !== undefined || dates.length === 0) {
    throw new QueueError(
      'invalid_input',
      `date must be a real calendar date as YYYY-MM-DD${bad !== undefined ? ` (got "${bad}")` : ''}`,
    );
  }
}

export interface EnqueueAllResult {
  dates: string[];
  created: number;
  existing: number;
}

/**
 * INSERT … SELECT over users × enabled connections × dates: rows never pass through JavaScript,
 * so 100,000 users cost `parts` statements (default 2, run concurrently on the pool). The dedup key makes it idempotent while a task is unfinished;
 * once the day's task has run, a later call syncs the day again (activity rows are upserted).
 */
export async function enqueueAllUsersSync(
  db: Db,
  opts: { date: string | readonly string[]; userIds?: readonly string[]; now: Date; parts?: number },
): Promise<EnqueueAllResult> {
  const dates = [...new Set(typeof opts.date === 'string' ? [opts.date] : opts.date)];
  checkDates(dates);
  let userFilter = sql``;
  if (opts.userIds) {
    const unknown = await findUnknownUserIds(db, opts.userIds);
    if (unknown.length > 0) {
      throw new QueueError(
        'not_found',
        `No user with id ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ' …' : ''}`,
        {
          unknownUserIds: unknown,
        },
      );
    }
    if (opts.userIds.length === 0) return { dates, created: 0, existing: 0 };
    userFilter = sql`and c.user_id = any(${uuidArray(opts.userIds)})`;
  }
  // Split by user into `parts` statements run side by side: the insert is CPU-bound in one backend.
  // Each part takes a range of user ids, so its dedup keys ('sync:<user id>:…') are a range of their
  // own, and with rows inserted in key order each part appends to its own end of the dedup index.
  // Ids are random (gen_random_uuid), so equal ranges hold about equal numbers of users. Not one
  // transaction: a part that fails leaves the others' tasks, and calling again adds only what is missing.
  const parts =
    opts.userIds || !Number.isFinite(opts.parts ?? 2) ? 1 : Math.min(Math.max(Math.floor(opts.parts ?? 2), 1), 8);
  const bound = (k: number) =>
    `${Math.floor((k * 0x1_0000_0000) / parts)
      .toString(16)
      .padStart(8, '0')}-0000-0000-0000-000000000000`;
  const counts = await Promise.all(
    Array.from({ length: parts }, (_, k) => {
      const from = k > 0 ? sql`and c.user_id >= ${bound(k)}::uuid` : sql``;
      const until = k < parts - 1 ? sql`and c.user_id < ${bound(k + 1)}::uuid` : sql``;
      // No entity columns: user_id already names the user, and an entity would cost an index entry per row.
      const source = sql`
    select ${SYNC_QUEUE}::text as queue, ${SYNC_JOB_TYPE}::text as type,
           jsonb_build_object('userId', c.user_id, 'platform', c.platform, 'date', d.date) as payload,
           ${PRIORITY.normal}::int as priority,
           'sync:' || c.user_id || ':' || c.platform || ':' || d.date as dedup_key,
           c.user_id, null::text as entity_type, null::text as entity_id, c.platform::text as limit_key,
           c.user_id::text as owner_key
    from platform_connections c
    cross join unnest(${`{${dates.join(',')}}`}::text[]) as d(date)
    where c.enabled ${userFilter} ${from} ${until}`;
      return enqueueFromSelect(db, source, { now: opts.now });
    }),
  );
  return {
    dates,
    created: counts.reduce((n, c) => n + c.created, 0),
    existing: counts.reduce((n, c) => n + c.existing, 0),
  };
}

export interface EnqueueUserResult {
  userId: string;
  date: string;
  created: number;
  existing: number;
  /** One per enabled connection asked for; `created: false` when that day's task was already waiting. */
  jobs: { id: string; platform: Platform; created: boolean }[];
  /** Platforms asked for that have no enabled connection. */
  skipped: Platform[];
}

/**
 * One user's sync now (the dashboard's "Sync now"): a few rows, so enqueued through enqueueJobs to
 * hand back their ids for the toasts. High priority puts them ahead of a bulk sync-all.
 */
export async function enqueueUserSync(
  db: Db,
  userId: string,
  opts: { date?: string; platforms?: readonly Platform[]; now: Date },
): Promise<EnqueueUserResult> {
  const date = opts.date ?? todayUtc(opts.now);
  checkDates([date]);
  const user = await getUser(db, userId);
  if (!user) throw new QueueError('not_found', `No user with id ${userId}`);
  const wanted = new Set(opts.platforms ?? PLATFORMS);
  const connections = (await listConnections(db, user.id)).filter((c) => c.enabled && wanted.has(c.platform));
  const results = await enqueueJobs(
    db,
    syncEnqueueTypes,
    connections.map((c) => ({
      type: SYNC_JOB_TYPE,
      payload: { userId: user.id, platform: c.platform, date },
      priority: PRIORITY.high,
      dedupKey: syncDedupKey(user.id, c.platform, date),
      userId: user.id,
    })),
    { now: opts.now },
  );
  const jobs = results.map((r, i) => ({ id: r.job.id, platform: connections[i].platform, created: r.created }));
  const synced = new Set(connections.map((c) => c.platform));
  return {
    userId: user.id,
    date,
    created: jobs.filter((j) => j.created).length,
    existing: jobs.filter((j) => !j.created).length,
    jobs,
    skipped: [...wanted].filter((p) => !synced.has(p)),
  };
}
