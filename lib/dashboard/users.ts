import 'server-only';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { platformConnections, users, type Platform } from '@/drizzle/schema';
import { parseTs, QueueError, type Db } from '@/lib/queue';
import type { PlatformName, UserDto } from './client/types';

export const MAX_USERS_LISTED = 500;

const iso = (v: string | null) => (v ? parseTs(v).toISOString() : null);

const privacyOf = (u: typeof users.$inferSelect): Record<PlatformName, boolean> => ({
  github: u.githubPrivate,
  youtube: u.youtubePrivate,
  twitter: u.twitterPrivate,
  instagram: u.instagramPrivate,
});

/** Users with their connections and privacy, for the Users page. */
export async function listUsersWithConnections(db: Db): Promise<UserDto[]> {
  const found = await db
    .select()
    .from(users)
    .orderBy(asc(sql`lower(${users.username})`))
    .limit(MAX_USERS_LISTED);
  if (found.length === 0) return [];
  const connections = await db
    .select()
    .from(platformConnections)
    .where(
      inArray(
        platformConnections.userId,
        found.map((u) => u.id),
      ),
    )
    .orderBy(asc(platformConnections.platform));
  return found.map((u) => {
    const privacy = privacyOf(u);
    const mine = connections
      .filter((c) => c.userId === u.id)
      .map((c) => ({
        platform: c.platform,
        handle: c.handle,
        enabled: c.enabled,
        private: privacy[c.platform],
        lastSyncedAt: iso(c.lastSyncedAt),
      }));
    const synced = mine
      .map((c) => c.lastSyncedAt)
      .filter((v): v is string => v !== null)
      .sort();
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      timeZone: u.timeZone,
      connections: mine,
      privacy,
      lastSyncedAt: synced.at(-1) ?? null,
    };
  });
}

/** Marks one platform private or public for a user; the public page and API read it on every request. */
export async function setPlatformPrivacy(
  db: Db,
  opts: { userId: string; platform: Platform; private: boolean; now: Date },
): Promise<Record<PlatformName, boolean>> {
  const [row] = await db
    .update(users)
    .set({ [`${opts.platform}Private`]: opts.private, updatedAt: opts.now.toISOString() })
    .where(eq(users.id, opts.userId))
    .returning();
  if (!row) throw new QueueError('not_found', `User ${opts.userId} not found`);
  return privacyOf(row);
}
