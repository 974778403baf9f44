import postgres from 'postgres';
import { createDb } from '@/lib/db';
import { enqueueAllUsersSync } from '@/lib/sync/enqueue';
import { steady } from '../systems/steady';
import { elapsed, summarise } from '../lib/stats';
import type { BenchContext } from '../lib/context';

export const SYNC_ALL = 'sync-all';
const PLATFORMS = ['github', 'youtube', 'twitter', 'instagram'];

/**
 * The app's own sync-all path (enqueueAllUsersSync: one INSERT … SELECT over users × enabled
 * connections, with a dedup key per user, platform and day) for `syncUsers` users with all four
 * platforms connected. Each round starts from an empty jobs table.
 */
export async function runSyncAll(ctx: BenchContext): Promise<void> {
  const { config, results, log, server } = ctx;
  const db = await ctx.freshDb(steady, 'sync_all');
  const raw = postgres(db.url, { max: 1, onnotice: () => {} });
  await raw.unsafe(
    `insert into users (username, display_name)
     select 'user' || g, 'User ' || g from generate_series(1, ${config.syncUsers}) g`,
  );
  await raw.unsafe(
    `insert into platform_connections (user_id, platform, handle)
     select u.id, p::platform, u.username from users u cross join unnest('{${PLATFORMS.join(',')}}'::text[]) p`,
  );
  const { db: orm, client } = createDb({ url: db.url, max: 2 });
  const tasks = config.syncUsers * PLATFORMS.length;
  const seconds: number[] = [];
  for (let round = 0; round < config.rounds; round++) {
    await raw.unsafe('truncate jobs, job_events, job_counts, job_minute_stats');
    await server.analyze(db.name);
    await server.checkpoint();
    let created = 0;
    const now = new Date('2026-06-01T12:00:00Z');
    seconds.push(
      await elapsed(async () => {
        created = (await enqueueAllUsersSync(orm, { date: '2026-06-01', now })).created;
      }),
    );
    if (created !== tasks) throw new Error(`sync-all created ${created} of ${tasks} tasks`);
    log(`sync-all ${tasks.toLocaleString('en')} tasks: ${seconds[round].toFixed(2)} s`);
  }
  results.add({
    scenario: SYNC_ALL,
    label: `${tasks.toLocaleString('en')} tasks`,
    unit: 's',
    better: 'lower',
    summary: summarise(seconds),
    note: `${config.syncUsers.toLocaleString('en')} users × 4 platforms`,
  });
  await client.end();
  await raw.end();
  await server.dropDatabase(db.name);
}
