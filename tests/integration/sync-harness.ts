import { sql } from 'drizzle-orm';
import { parseEnv, type Env } from '@/lib/env';
import { parseTs, type Db } from '@/lib/queue';
import type { Platform } from '@/lib/sync/platforms';
import type { createPlatformClients } from '@/lib/sync/providers';
import { startFakePlatforms, type FakePlatforms } from '@/scripts/fake-platforms';

/** The env a deployment would have, pointed at the fake platform server and the test database. */
export function testEnv(fake: FakePlatforms, databaseUrl: string, extra: Record<string, string> = {}): Env {
  return parseEnv({
    DATABASE_URL: databaseUrl,
    PLATFORM_TIMEOUT_MS: '3000',
    NODE_ENV: 'test',
    ...fake.baseUrls,
    ...extra,
  });
}

export { startFakePlatforms };

/** The platform clients' settings for the fake server: its URLs, a token each, and `timeoutMs`. */
export function fakePlatformConfig(
  fake: FakePlatforms,
  timeoutMs: number,
): Parameters<typeof createPlatformClients>[0] {
  return {
    GITHUB_API_URL: fake.baseUrls.GITHUB_API_URL,
    GITHUB_TOKEN: 'gh-token',
    YOUTUBE_API_URL: fake.baseUrls.YOUTUBE_API_URL,
    YOUTUBE_API_KEY: 'yt-key',
    TWITTER_API_URL: fake.baseUrls.TWITTER_API_URL,
    TWITTER_BEARER_TOKEN: 'x-token',
    INSTAGRAM_API_URL: fake.baseUrls.INSTAGRAM_API_URL,
    INSTAGRAM_ACCESS_TOKEN: 'ig-token',
    PLATFORM_TIMEOUT_MS: timeoutMs,
  };
}

export interface UserSpec {
  username: string;
  connections: Partial<Record<Platform, string>>;
  private?: Platform[];
  disabled?: Platform[];
}

/** Users and their connections in one statement each; returns username → id. */
export async function createUsers(db: Db, specs: UserSpec[]): Promise<Record<string, string>> {
  const rows = specs.map((s) => ({
    username: s.username,
    github_private: s.private?.includes('github') ?? false,
    youtube_private: s.private?.includes('youtube') ?? false,
    twitter_private: s.private?.includes('twitter') ?? false,
    instagram_private: s.private?.includes('instagram') ?? false,
  }));
  const users = (await db.execute(sql`
    insert into users (username, display_name, github_private, youtube_private, twitter_private, instagram_private)
    select x.username, initcap(x.username), x.github_private, x.youtube_private, x.twitter_private, x.instagram_private
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      as x(username text, github_private boolean, youtube_private boolean, twitter_private boolean, instagram_private boolean)
    returning id::text, username`)) as unknown as { id: string; username: string }[];
  const ids = Object.fromEntries(users.map((u) => [u.username, u.id]));
  const connections = specs.flatMap((s) =>
    Object.entries(s.connections).map(([platform, handle]) => ({
      user_id: ids[s.username],
      platform,
      handle,
      enabled: !(s.disabled ?? []).includes(platform as Platform),
    })),
  );
  if (connections.length) {
    await db.execute(sql`
      insert into platform_connections (user_id, platform, handle, enabled)
      select x.user_id, x.platform::platform, x.handle, x.enabled
      from jsonb_to_recordset(${JSON.stringify(connections)}::jsonb) as x(user_id uuid, platform text, handle text, enabled boolean)`);
  }
  return ids;
}

export interface ActivityRow {
  username: string;
  platform: Platform;
  date: string;
  count: number;
  details: Record<string, unknown>;
}

export async function activityRows(db: Db): Promise<ActivityRow[]> {
  return (await db.execute(sql`
    select u.username, a.platform::text as platform, a.date::text as date, a.count, a.details
    from activities a join users u on u.id = a.user_id
    order by u.username, a.platform::text, a.date`)) as unknown as ActivityRow[];
}

export interface JobRowLite {
  id: string;
  status: string;
  attempts: number;
  priority: number;
  runAt: Date;
  lastError: string | null;
  dedupKey: string | null;
}

export async function syncJobs(db: Db): Promise<JobRowLite[]> {
  const rows = (await db.execute(sql`
    select id::text, status::text, attempts, priority, run_at::text, last_error, dedup_key
    from jobs where type = 'sync.platform' order by dedup_key, created_at`)) as unknown as Record<string, unknown>[];
  return rows.map((r) => ({
    id: String(r.id),
    status: String(r.status),
    attempts: Number(r.attempts),
    priority: Number(r.priority),
    runAt: parseTs(r.run_at),
    lastError: (r.last_error as string | null) ?? null,
    dedupKey: (r.dedup_key as string | null) ?? null,
  }));
}

const SECRET_HEADER = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** A request as Vercel Cron (GET) or curl (POST with an optional JSON body) would send it. */
export function request(
  method: 'GET' | 'POST',
  path: string,
  opts: { token?: string; body?: string | object; headers?: Record<string, string> } = {},
): Request {
  const body =
    opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  return new Request(`http://localhost${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...SECRET_HEADER(opts.token),
      ...opts.headers,
    },
    body,
  });
}

// The app's shared pool (lib/db keeps it on globalThis): closed so the next test file builds its own.
export { closeAppDb } from '../helpers/route-call';

/** A port nothing listens on (bound, then released), so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
