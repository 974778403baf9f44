import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPublicActivity } from '@/lib/sync/activity';
import { todayUtc } from '@/lib/sync/dates';
import { seedDemoData } from '@/scripts/seed';
import { callCron, startLocalCron } from '@/scripts/local-cron';
import { createTestDb, type TestDb } from '../helpers/test-db';
import { closedPort } from './sync-harness';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

const count = async (table: 'users' | 'platform_connections' | 'activities') =>
  Number((await t.db.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)}`))[0].n);

describe('seedDemoData', () => {
  it('creates the demo users with history once, then leaves them alone', async () => {
    const lines: string[] = [];
    await seedDemoData(t.url, { log: (l) => lines.push(l) });
    expect(await count('users')).toBe(36);
    const activities = await count('activities');
    expect(activities).toBeGreaterThan(36 * 100);
    const [span] = (await t.db.execute(
      sql`select min(date)::text as first, max(date)::text as last from activities`,
    )) as unknown as { first: string; last: string }[];
    // The seed counts days by the database's current_date, whose time zone need not be Node's.
    const [{ today }] = await t.db.execute<{ today: string }>(sql`select current_date::text as today`);
    expect(span.last < today).toBe(true);
    expect(Date.parse(span.last) - Date.parse(span.first)).toBeGreaterThanOrEqual(399 * 86_400_000);
    expect(lines.at(-1)).toMatch(/^seeded 36 demo users and \d+ activity rows/);

    await seedDemoData(t.url, { log: (l) => lines.push(l) });
    expect(lines.at(-1)).toBe('demo data present (36 users); skipping seed');
    expect(await count('activities')).toBe(activities);
  });

  it('gives users with private platforms a public page without them, and varied streaks', async () => {
    const privateUsers = (await t.db.execute(sql`
      select u.username, c.platform::text as platform from users u join platform_connections c on c.user_id = u.id
      where (c.platform = 'twitter' and u.twitter_private) or (c.platform = 'instagram' and u.instagram_private)`)) as unknown as {
      username: string;
      platform: 'twitter' | 'instagram';
    }[];
    expect(privateUsers.length).toBeGreaterThan(0);
    const to = todayUtc(new Date());
    const from = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
    const streaks = new Set<number>();
    for (const { username, platform } of privateUsers) {
      const page = (await getPublicActivity(t.db, username, { from, to }))!;
      expect(page.platforms).not.toContain(platform);
      expect(JSON.stringify(page)).not.toContain(platform);
      streaks.add(page.streaks.longest);
    }
    expect(streaks.size).toBeGreaterThan(1);
  });
});

describe('local cron', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { method?: string; url?: string; auth?: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
      res.writeHead(req.url === '/api/cron/boom' ? 500 : 200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          req.url === '/api/cron/boom'
            ? { error: 'Internal error' }
            : { claimed: 2, counts: { completed: 2, failed: 0 } },
        ),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('calls a path as Vercel Cron does and logs one line', async () => {
    const line = await callCron({ baseUrl, secret: 's3cret-value', path: '/api/cron/process-queue' });
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/api/cron/process-queue', auth: 'Bearer s3cret-value' });
    expect(line).toMatch(/^cron GET \/api\/cron\/process-queue → 200 in \d+ ms claimed=2 counts=\{completed:2\}$/);
    expect(await callCron({ baseUrl, secret: 'x', path: '/api/cron/boom' })).toMatch(
      /→ 500 in \d+ ms error=Internal error$/,
    );
    expect(
      await callCron({ baseUrl: `http://127.0.0.1:${await closedPort()}`, secret: 'x', path: '/api/cron/sync-all' }),
    ).toMatch(/^cron GET \/api\/cron\/sync-all failed after \d+ ms: .*ECONNREFUSED/);
  });

  it('reads the schedules from vercel.json, and refuses a bad one with its reason', () => {
    const lines: string[] = [];
    startLocalCron({ baseUrl, secret: 'x', log: (l) => lines.push(l) }).stop();
    expect(lines[0]).toMatch(
      /^local cron: \/api\/cron\/sync-all \(0 \*\/6 \* \* \*, next \d\d:00 UTC\), \/api\/cron\/process-queue \(\* \* \* \* \*, next/,
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'steady-cron-'));
    const file = path.join(dir, 'vercel.json');
    writeFileSync(file, JSON.stringify({ crons: [{ path: '/api/cron/x', schedule: '61 * * * *' }] }));
    try {
      startLocalCron({ baseUrl, secret: 'x', log: (l) => lines.push(l), file }).stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(lines.at(-1)).toBe('local cron off: Invalid cron expression "61 * * * *": minute 61 is outside 0-59');
  });
});
