import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import { platformConnections, users } from '@/drizzle/schema';
import { isUuid, uuidArray, type Db } from '@/lib/queue';
import type { Platform } from './platforms';

export interface SyncUser {
  id: string;
  username: string;
  displayName: string;
  timeZone: string;
  privacy: Record<Platform, boolean>;
}

export interface Connection {
  platform: Platform;
  handle: string;
  enabled: boolean;
  lastSyncedAt: string | null;
}

const userColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  timeZone: users.timeZone,
  github: users.githubPrivate,
  youtube: users.youtubePrivate,
  twitter: users.twitterPrivate,
  instagram: users.instagramPrivate,
};

const connectionColumns = {
  platform: platformConnections.platform,
  handle: platformConnections.handle,
  enabled: platformConnections.enabled,
  lastSyncedAt: platformConnections.lastSyncedAt,
};

type UserRow = { [K in keyof typeof userColumns]: (typeof userColumns)[K]['_']['data'] };

const toUser = (r: UserRow): SyncUser => ({
  id: r.id,
  username: r.username,
  displayName: r.displayName,
  timeZone: r.timeZone,
  privacy: { github: r.github, youtube: r.youtube, twitter: r.twitter, instagram: r.instagram },
});

/** The users table's CHECK constraint, so a name that cannot exist is refused before a query. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$/;

export async function getUser(db: Db, id: string): Promise<SyncUser | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select(userColumns).from(users).where(eq(users.id, id)).limit(1);
  return row ? toUser(row) : null;
}

/** Usernames are unique without regard to case (the index is on lower(username)). */
export async function getUserByUsername(db: Db, username: string): Promise<SyncUser | null> {
  const [row] = await db
    .select(userColumns)
    .from(users)
    .where(sql`lower(${users.username}) = lower(${username})`)
    .limit(1);
  return row ? toUser(row) : null;
}

export async function listConnections(db: Db, userId: string): Promise<Connection[]> {
  return db
    .select(connectionColumns)
    .from(platformConnections)
    .where(eq(platformConnections.userId, userId))
    .orderBy(platformConnections.platform);
}

export async function getConnection(db: Db, userId: string, platform: Platform): Promise<Connection | null> {
  const [row] = await db
    .select(connectionColumns)
    .from(platformConnections)
    .where(and(eq(platformConnections.userId, userId), eq(platformConnections.platform, platform)))
    .limit(1);
  return row ?? null;
}

/** The ids in `ids` that name no user (ids that are not UUIDs count as unknown). */
export async function findUnknownUserIds(db: Db, ids: readonly string[]): Promise<string[]> {
  const valid = [...new Set(ids.filter(isUuid))];
  if (valid.length === 0) return [...new Set(ids)];
  const found = await db.execute<{ id: string }>(
    sql`select id::text as id from users where id = any(${uuidArray(valid)})`,
  );
  const known = new Set(found.map((r) => r.id.toLowerCase()));
  return [...new Set(ids)].filter((id) => !known.has(id.toLowerCase()));
}
