import 'server-only';
import { listJobs, type Db } from '@/lib/queue';
import { defaultSyncDates, enqueueAllUsersSync, enqueueUserSync } from '@/lib/sync/enqueue';
import { SYNC_JOB_TYPE, SYNC_QUEUE } from '@/lib/sync/platforms';
import type { EnqueuedDto } from './client/types';

/** Most ids one "Sync all" toast follows; beyond it the overview's counts tell the rest. */
export const MAX_TRACKED = 500;

export async function syncUserNow(db: Db, userId: string, opts: { now: Date }): Promise<EnqueuedDto> {
  const result = await enqueueUserSync(db, userId, { now: opts.now });
  const n = result.jobs.length;
  return {
    jobIds: result.jobs.map((j) => j.id),
    message:
      n === 0
        ? 'This user has no enabled platform connections to sync'
        : `Syncing ${n} platform${n === 1 ? '' : 's'} for ${result.date}${result.existing > 0 ? ` (${result.existing} already queued)` : ''}`,
  };
}

/**
 * Sync-all enqueues with one INSERT … SELECT, which does not hand back ids; the toast follows the
 * unfinished sync tasks for those dates instead: the ones just created and any already waiting.
 */
export async function syncAllNow(db: Db, opts: { now: Date }): Promise<EnqueuedDto> {
  const dates = defaultSyncDates(opts.now);
  const result = await enqueueAllUsersSync(db, { date: dates, now: opts.now });
  const wanted = new Set(dates);
  const jobIds: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await listJobs(
      db,
      { statuses: ['pending', 'processing', 'paused'], queue: SYNC_QUEUE, type: SYNC_JOB_TYPE },
      { limit: 200, cursor },
    );
    for (const j of page.items) {
      if (wanted.has(String((j.payload as { date?: unknown } | null)?.date))) jobIds.push(j.id);
    }
    cursor = page.nextCursor;
  } while (cursor && jobIds.length < MAX_TRACKED);
  const total = result.created + result.existing;
  return {
    jobIds: jobIds.slice(0, MAX_TRACKED),
    message:
      total === 0
        ? 'No enabled platform connections to sync'
        : `Syncing ${total} platform connections for ${dates.join(' and ')}`,
  };
}
