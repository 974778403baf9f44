import 'server-only';
import type { Db } from '@/lib/queue';
import { recordDayActivity } from './activity';
import type { SyncPayload } from './payload';
import type { PlatformClients } from './providers';
import type { Allowance } from './providers/types';
import { getConnection } from './users';

export type SyncResult =
  | { status: 'synced'; platform: string; date: string; handle: string; count: number }
  | { status: 'skipped'; platform: string; date: string; reason: string };

/**
 * Fetches one user's activity on one platform for one UTC day and stores it. The connection is read
 * when the task runs, not when it was queued, so a handle fixed in between is used and a connection
 * removed in between is skipped rather than failed.
 */
export async function syncPlatformDay(
  db: Db,
  clients: PlatformClients,
  payload: SyncPayload,
  opts: {
    signal?: AbortSignal;
    deadline?: number;
    now?: () => Date;
    /** Cools the platform down: called when an answer said the token has no request left. */
    coolDown?: (key: string, retryAfterSec: number) => Promise<void>;
  } = {},
): Promise<SyncResult> {
  const { userId, platform, date } = payload;
  const connection = await getConnection(db, userId, platform);
  if (!connection || !connection.enabled) {
    return { status: 'skipped', platform, date, reason: connection ? 'connection disabled' : 'not connected' };
  }
  const allowance: Allowance = { spentForSec: null };
  const activity = await clients[platform].fetchDay(connection.handle, date, {
    signal: opts.signal,
    deadline: opts.deadline,
    allowance,
  });
  if (allowance.spentForSec !== null) await opts.coolDown?.(platform, allowance.spentForSec);
  const count = await recordDayActivity(db, {
    userId,
    platform,
    date,
    count: activity.count,
    details: activity.details,
    partial: activity.partial,
    now: opts.now?.() ?? new Date(),
  });
  return { status: 'synced', platform, date, handle: connection.handle, count };
}
