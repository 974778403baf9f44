import 'server-only';
import { and, eq, gte, sql } from 'drizzle-orm';
import { activities, platformConnections, users } from '@/drizzle/schema';
import { PermanentJobError, type Db } from '@/lib/queue';
import { recordDayActivity } from '@/lib/sync/activity';
import { addDays, toIsoDate } from '@/lib/sync/dates';
import { isValidHandle } from '@/lib/sync/handles';
import { PLATFORM_LABELS, PLATFORMS, type Platform } from '@/lib/sync/platforms';
import type { PlatformClients } from '@/lib/sync/providers';
import { getUserByUsername, listConnections } from '@/lib/sync/users';
import type { PlatformHandles, ProfilePayload } from './schemas';
import { PUBLIC_ERROR_PREFIX } from './vocabulary';

export const BACKFILL_DAYS = 30;

export type PlatformOutcome = { handle: string; days: number; total: number } | { handle: string; error: string };

export interface ProfileImportResult {
  userId: string;
  username: string;
  userCreated: boolean;
  from: string;
  to: string;
  platforms: Partial<Record<Platform, PlatformOutcome>>;
}

/**
 * The profile.process job: make sure the user exists with the handles the request named (GitHub under
 * the username when it named none and the user is new), then fetch the last 30 days on every enabled
 * connection through the sync workload's platform clients and upsert them as activities — the same
 * rows the daily sync writes, so a re-run only refreshes them. A rate limit defers the whole job (the
 * days already stored stay); one platform failing for good is recorded and the others continue.
 */
export async function importProfile(
  db: Db,
  clients: PlatformClients,
  payload: ProfilePayload,
  opts: {
    now: Date;
    /** Days stored since this time (by an earlier attempt of the same job) are not fetched again. */
    resumeSince?: Date;
    signal?: AbortSignal;
    progress?: (step: string) => Promise<void>;
  },
): Promise<ProfileImportResult> {
  const { userId, created } = await ensureUser(db, payload);
  try {
    return await importFor(db, clients, payload, opts, userId, created);
  } catch (err) {
    // A request that fails for good leaves no user behind that it made itself (its connections and
    // activities go with it, by cascade). One made by an earlier attempt of the job is kept: the next
    // request for the same username picks it up.
    if (created && err instanceof PermanentJobError) await db.delete(users).where(eq(users.id, userId));
    throw err;
  }
}

async function importFor(
  db: Db,
  clients: PlatformClients,
  payload: ProfilePayload,
  opts: Parameters<typeof importProfile>[3],
  userId: string,
  created: boolean,
): Promise<ProfileImportResult> {
  const connections = (await listConnections(db, userId)).filter((c) => c.enabled);
  if (connections.length === 0) {
    throw new PermanentJobError(
      `${PUBLIC_ERROR_PREFIX}${payload.username} has no platform handles; send platforms in the request`,
    );
  }
  const to = toIsoDate(opts.now);
  const from = addDays(to, -(BACKFILL_DAYS - 1));
  const stored = opts.resumeSince ? await storedSince(db, userId, from, opts.resumeSince) : new Map<string, number>();
  const platforms: ProfileImportResult['platforms'] = {};
  // Platforms side by side (separate APIs and limits), days in order within each. The first failure
  // that is not one platform's own (a rate limit, an outage) stops the others before it is rethrown.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const runs = await Promise.allSettled(
    connections.map(async ({ platform, handle }) => {
      let total = 0;
      try {
        for (let i = 0; i < BACKFILL_DAYS && !signal.aborted; i++) {
          const date = addDays(from, i);
          const already = stored.get(`${platform}:${date}`);
          if (already !== undefined) {
            total += already;
            continue;
          }
          const day = await clients[platform].fetchDay(handle, date, { signal });
          await recordDayActivity(db, {
            userId,
            platform,
            date,
            count: day.count,
            details: day.details,
            partial: day.partial,
            now: opts.now,
          });
          total += day.count;
          if (i % 10 === 9) await opts.progress?.(`${PLATFORM_LABELS[platform]}: ${i + 1} of ${BACKFILL_DAYS} days`);
        }
        platforms[platform] = { handle, days: BACKFILL_DAYS, total };
      } catch (err) {
        if (!(err instanceof PermanentJobError)) {
          stop.abort(err);
          throw err;
        }
        platforms[platform] = { handle, error: err.message };
      }
    }),
  );
  const firstFailure = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (firstFailure) throw stop.signal.reason ?? firstFailure.reason;
  const failed = Object.entries(platforms).filter(([, o]) => o && 'error' in o);
  if (failed.length === connections.length) {
    const why = failed
      .map(([p, o]) => `${PLATFORM_LABELS[p as Platform]}: ${(o as { error: string }).error}`)
      .join('; ');
    throw new PermanentJobError(`${PUBLIC_ERROR_PREFIX}no platform could be read (${why})`.slice(0, 500));
  }
  return { userId, username: payload.username, userCreated: created, from, to, platforms };
}

/** Activity rows written since `since` (a timed-out attempt's progress), as platform:date → count. */
async function storedSince(db: Db, userId: string, from: string, since: Date): Promise<Map<string, number>> {
  const found = await db
    .select({ platform: activities.platform, date: activities.date, count: activities.count })
    .from(activities)
    .where(
      and(eq(activities.userId, userId), gte(activities.date, from), gte(activities.syncedAt, since.toISOString())),
    );
  return new Map(found.map((r) => [`${r.platform}:${r.date}`, r.count]));
}

/**
 * Known to fail: no handles were named, the username is no GitHub name (the default platform) and no
 * such user exists to read from. Checked when the request arrives and again when its job runs.
 */
export async function hasNothingToRead(db: Db, username: string, platforms: PlatformHandles = {}): Promise<boolean> {
  const named = Object.values(platforms).some(Boolean);
  return !named && !isValidHandle('github', username) && !(await getUserByUsername(db, username));
}

/**
 * Creates the user if missing (usernames are unique without regard to case) and applies the handles
 * the request named; a new user with none gets GitHub under the username.
 */
async function ensureUser(db: Db, payload: ProfilePayload): Promise<{ userId: string; created: boolean }> {
  const handles: [Platform, string][] = PLATFORMS.flatMap((p) =>
    payload.platforms[p] ? [[p, payload.platforms[p]!] as [Platform, string]] : [],
  );
  if (await hasNothingToRead(db, payload.username, payload.platforms)) {
    // Refused before a row is written.
    throw new PermanentJobError(
      `${PUBLIC_ERROR_PREFIX}${payload.username} has no platform handles; send platforms in the request`,
    );
  }
  const inserted = await db
    .insert(users)
    .values({ username: payload.username, displayName: payload.username })
    .onConflictDoNothing()
    .returning({ id: users.id });
  const created = inserted.length === 1;
  const user = created ? { id: inserted[0].id } : await getUserByUsername(db, payload.username);
  if (!user) throw new Error(`User ${payload.username} vanished while being created`);
  if (created && handles.length === 0 && isValidHandle('github', payload.username))
    handles.push(['github', payload.username]);
  if (handles.length > 0) {
    await db
      .insert(platformConnections)
      .values(handles.map(([platform, handle]) => ({ userId: user.id, platform, handle: handle.replace(/^@/, '') })))
      .onConflictDoUpdate({
        target: [platformConnections.userId, platformConnections.platform],
        set: { handle: sql`excluded.handle`, enabled: true },
      });
  }
  return { userId: user.id, created };
}
