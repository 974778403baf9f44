/**
 * Demo data for `npm run dev`: 36 users with mixed connections and privacy settings and about 400
 * days of activity, so the pages look lived-in. Idempotent: when the demo users exist it does nothing.
 * Activity is generated inside PostgreSQL (one INSERT … SELECT), so seeding takes well under a second.
 */
import { createHash } from 'node:crypto';
import postgres from 'postgres';

const NAMES = [
  'Ada Lovelace',
  'Alan Turing',
  'Grace Hopper',
  'Linus Torvalds',
  'Margaret Hamilton',
  'Ken Thompson',
  'Barbara Liskov',
  'Dennis Ritchie',
  'Radia Perlman',
  'Guido Rossum',
  'Frances Allen',
  'Bjarne Stroustrup',
  'Katherine Johnson',
  'Donald Knuth',
  'Hedy Lamarr',
  'John Carmack',
  'Anita Borg',
  'Tim Berners',
  'Shafi Goldwasser',
  'Brendan Eich',
  'Sophie Wilson',
  'James Gosling',
  'Jean Bartik',
  'Yukihiro Matsumoto',
  'Evelyn Berezin',
  'Rob Pike',
  'Carol Shaw',
  'Leslie Lamport',
  'Mary Keller',
  'Edsger Dijkstra',
  'Lynn Conway',
  'Niklaus Wirth',
  'Adele Goldberg',
  'Ward Cunningham',
  'Joan Clarke',
  'Vanished Account',
];

const ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Australia/Sydney',
];

const hash = (s: string) => createHash('sha256').update(s).digest();

export interface DemoUser {
  username: string;
  displayName: string;
  timeZone: string;
  privacy: { github: boolean; youtube: boolean; twitter: boolean; instagram: boolean };
  connections: { platform: 'github' | 'youtube' | 'twitter' | 'instagram'; handle: string; enabled: boolean }[];
}

/** The demo users, the same on every machine. */
export function demoUsers(): DemoUser[] {
  return NAMES.map((displayName, i) => {
    const username = displayName.toLowerCase().replace(/[^a-z]+/g, '-');
    const h = hash(`demo:${username}`);
    const gone = username === 'vanished-account';
    const connections: DemoUser['connections'] = [];
    // An account deleted on GitHub ("gone…" answers 404 on the fake APIs): its sync fails for good.
    if (gone || i % 9 !== 4)
      connections.push({ platform: 'github', handle: gone ? 'gone-vanished' : username, enabled: true });
    if (h[0] % 3 !== 0)
      connections.push({ platform: 'twitter', handle: username.replace(/-/g, '_').slice(0, 15), enabled: i !== 7 });
    if (h[1] % 3 === 0)
      connections.push({
        platform: 'youtube',
        handle: `UC${h.subarray(2, 18).toString('base64url').slice(0, 22)}`,
        enabled: true,
      });
    if (h[2] % 2 === 0)
      connections.push({
        platform: 'instagram',
        handle: `1784${String(h.readUInt32BE(4)).padStart(13, '0')}`,
        enabled: true,
      });
    return {
      username,
      displayName,
      timeZone: ZONES[h[3] % ZONES.length],
      privacy: { github: i % 11 === 3, youtube: i % 5 === 2, twitter: i % 4 === 1, instagram: i % 3 === 0 },
      connections,
    };
  });
}

export async function seedDemoData(url: string, opts: { log?: (l: string) => void } = {}): Promise<void> {
  const log = opts.log ?? (() => {});
  const users = demoUsers();
  const names = users.map((u) => u.username);
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: { TimeZone: 'UTC', application_name: 'steady-seed' },
  });
  try {
    const [{ n }] = await sql<
      { n: number }[]
    >`select count(*)::int as n from users where lower(username) = any(${names})`;
    if (n === users.length) {
      log(`demo data present (${n} users); skipping seed`);
      return;
    }
    const started = Date.now();
    await sql.begin(async (tx) => {
      await tx`
        insert into users ${tx(
          users.map((u) => ({
            username: u.username,
            display_name: u.displayName,
            time_zone: u.timeZone,
            github_private: u.privacy.github,
            youtube_private: u.privacy.youtube,
            twitter_private: u.privacy.twitter,
            instagram_private: u.privacy.instagram,
          })),
        )}
        on conflict do nothing`;
      const connections = users.flatMap((u) => u.connections.map((c) => ({ username: u.username, ...c })));
      await tx`
        insert into platform_connections (user_id, platform, handle, enabled, last_synced_at)
        select u.id, c.platform::platform, c.handle, c.enabled, now() - interval '1 day'
        from jsonb_to_recordset(${tx.json(connections)}::jsonb) as c(username text, platform text, handle text, enabled boolean)
        join users u on lower(u.username) = c.username
        on conflict do nothing`;
      // Each user has a habit strength; platforms differ in how often people post; weekends dip; some
      // users keep an unbroken run on GitHub up to yesterday so current streaks vary.
      await tx`
        with days as (
          select d::date as date from generate_series(current_date - 400, current_date - 1, interval '1 day') d
        ),
        src as (
          select c.user_id, c.platform, days.date,
                 ('x' || substr(md5(u.username || ':' || c.platform || ':' || days.date), 1, 8))::bit(32)::bigint as h,
                 (0.35 + (('x' || substr(md5(u.username), 1, 4))::bit(16)::int % 60) / 100.0) as habit,
                 (('x' || substr(md5(u.username), 5, 4))::bit(16)::int % 90) as run_days
          from platform_connections c
          join users u on u.id = c.user_id and lower(u.username) = any(${names})
          cross join days
          where c.handle not like 'gone%'
        )
        insert into activities (user_id, date, platform, count, details, synced_at)
        select user_id, date, platform,
               1 + (h / 7 % case platform when 'github' then 10 when 'twitter' then 6 else 2 end)::int,
               jsonb_build_object('seeded', true), now() - interval '1 day'
        from src
        where (platform = 'github' and date >= current_date - run_days)
           or (h % 1000) / 1000.0 < habit
                * case platform when 'github' then 1.0 when 'twitter' then 0.8 when 'instagram' then 0.45 else 0.25 end
                * case when extract(isodow from date) >= 6 then 0.6 else 1.0 end
        on conflict do nothing`;
    });
    const [{ a }] = await sql<{ a: number }[]>`select count(*)::int as a from activities`;
    log(`seeded ${users.length} demo users and ${a} activity rows in ${Date.now() - started} ms`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
