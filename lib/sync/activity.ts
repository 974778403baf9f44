import 'server-only';
import { and, asc, between, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { activities, platformConnections } from '@/drizzle/schema';
import type { Db } from '@/lib/queue';
import { PLATFORMS, type Platform } from './platforms';
import { computeStreaks, type Streaks } from './streak';
import { getUserByUsername } from './users';

/**
 * One statement, answering the day's stored count: the day's row is replaced (a later sync of the same
 * day knows more), and the connection records when it last synced. A `partial` result (not the whole
 * day) replaces the row only when it counts more: re-syncing a day that has aged out of GitHub's
 * window must not turn its count into 0.
 */
export async function recordDayActivity(
  db: Db,
  input: {
    userId: string;
    platform: Platform;
    date: string;
    count: number;
    details: Record<string, unknown>;
    now: Date;
    partial?: boolean;
  },
): Promise<number> {
  const at = input.now.toISOString();
  const replace = input.partial ? sql`excluded.count > activities.count` : sql`true`;
  const [stored] = await db.execute(sql`
    with upserted as (
      insert into activities (user_id, date, platform, count, details, synced_at)
      values (${input.userId}, ${input.date}::date, ${input.platform}::platform, ${input.count},
              ${JSON.stringify(input.details)}::jsonb, ${at}::timestamptz)
      on conflict (user_id, date, platform)
      do update set count = case when ${replace} then excluded.count else activities.count end,
                    details = case when ${replace} then excluded.details else activities.details end,
                    synced_at = excluded.synced_at
      returning count),
    touched as (
      update platform_connections set last_synced_at = ${at}::timestamptz
      where user_id = ${input.userId} and platform = ${input.platform}::platform
      returning 1)
    select count from upserted`);
  // The count the day has now: the new one, or the higher one kept.
  return Number(stored.count);
}

export interface PublicActivityDay {
  date: string;
  total: number;
  /** Only public platforms appear as keys. */
  counts: Partial<Record<Platform, number>>;
}

export interface PublicActivity {
  user: { username: string; displayName: string };
  from: string;
  to: string;
  /** Connected platforms the user has not made private, in a fixed order. */
  platforms: Platform[];
  /** Days with any public activity in [from, to], oldest first; days without activity are absent. */
  days: PublicActivityDay[];
  totals: Partial<Record<Platform, number>>;
  /** Over public platforms only, with `to` as today, and over every day up to `to`, not only from `from`. */
  streaks: Streaks;
}

/**
 * A user's activity as anyone may see it. Private platforms are filtered out in the query itself, so
 * their rows never reach this process, let alone a response. Null when no user has that username.
 */
export async function getPublicActivity(
  db: Db,
  username: string,
  range: { from: string; to: string },
): Promise<PublicActivity | null> {
  const user = await getUserByUsername(db, username);
  if (!user) return null;
  const visible = PLATFORMS.filter((p) => !user.privacy[p]);
  const empty: PublicActivity = {
    user: { username: user.username, displayName: user.displayName },
    from: range.from,
    to: range.to,
    platforms: [],
    days: [],
    totals: {},
    streaks: computeStreaks([], range.to),
  };
  if (visible.length === 0) return empty;

  const [connected, rows, activeDates] = await Promise.all([
    db
      .select({ platform: platformConnections.platform })
      .from(platformConnections)
      .where(and(eq(platformConnections.userId, user.id), inArray(platformConnections.platform, visible))),
    db
      .select({ date: activities.date, platform: activities.platform, count: activities.count })
      .from(activities)
      .where(
        and(
          eq(activities.userId, user.id),
          inArray(activities.platform, visible),
          between(activities.date, range.from, range.to),
          gt(activities.count, 0),
        ),
      )
      .orderBy(asc(activities.date)),
    // Streaks reach back before `from`: a 500-day streak is 500 days whatever range is shown.
    db
      .selectDistinct({ date: activities.date })
      .from(activities)
      .where(
        and(
          eq(activities.userId, user.id),
          inArray(activities.platform, visible),
          lte(activities.date, range.to),
          gt(activities.count, 0),
        ),
      ),
  ]);

  const byDate = new Map<string, PublicActivityDay>();
  const totals: Partial<Record<Platform, number>> = {};
  for (const r of rows) {
    let day = byDate.get(r.date);
    if (!day) byDate.set(r.date, (day = { date: r.date, total: 0, counts: {} }));
    day.counts[r.platform] = r.count;
    day.total += r.count;
    totals[r.platform] = (totals[r.platform] ?? 0) + r.count;
  }
  const present = new Set<Platform>([...connected.map((c) => c.platform), ...(Object.keys(totals) as Platform[])]);
  return {
    ...empty,
    platforms: visible.filter((p) => present.has(p)),
    days: [...byDate.values()],
    totals,
    streaks: computeStreaks(
      activeDates.map((d) => d.date),
      range.to,
    ),
  };
}
