import 'server-only';
import { sql } from 'drizzle-orm';
import journal from '@/drizzle/migrations/meta/_journal.json';
import { dueAgeSeconds, getDueBacklog, listQueues, type Db } from '@/lib/queue';

export interface HealthReport {
  ok: boolean;
  /** What is wrong, in words; absent when all is well. */
  reason?: string;
  checks: {
    database: { ok: true };
    migrations: {
      ok: boolean;
      applied: number;
      expected: number;
      lastApplied: string | null;
      lastExpected: string | null;
    };
    queue: { ok: boolean; oldestDueAgeS: number; maxDueAgeS: number; queue: string | null };
  };
}

// The migrations this build was made with: drizzle's journal, bundled at build time.
const EXPECTED = journal.entries.map((e) => ({ tag: e.tag, when: e.when }));

/**
 * For uptime monitors. The database answers (a query that fails throws, and the route turns that into
 * 503), every migration this build knows is applied and no other (drizzle records each as its journal
 * `when`), and no due job in a queue that is not paused has waited longer than `maxDueAgeS` for a worker.
 */
export async function checkHealth(db: Db, opts: { now: Date; maxDueAgeS: number }): Promise<HealthReport> {
  const [migrations, backlog, queues] = await Promise.all([
    readMigrations(db),
    getDueBacklog(db, { now: opts.now }),
    listQueues(db),
  ]);
  const paused = new Set(queues.filter((q) => q.paused).map((q) => q.name));
  // Jobs of a paused queue wait on purpose: they do not make the queue look stalled.
  const oldest = backlog.byQueue
    .filter((q) => !paused.has(q.queue))
    .sort((a, b) => a.oldestDueAt.getTime() - b.oldestDueAt.getTime())[0];
  const ageS = Math.round(dueAgeSeconds(oldest?.oldestDueAt ?? null, opts.now));

  const last = EXPECTED.at(-1);
  const migrationsOk = migrations.applied === EXPECTED.length && migrations.lastWhen === (last?.when ?? null);
  const queueOk = ageS <= opts.maxDueAgeS;
  const reasons: string[] = [];
  if (!migrationsOk) {
    reasons.push(
      `migrations: ${migrations.applied} applied, this build has ${EXPECTED.length}` +
        (migrations.applied === EXPECTED.length ? ' (the last differs)' : ''),
    );
  }
  if (!queueOk)
    reasons.push(
      `a due job in queue "${oldest!.queue}" has waited ${ageS} s for a worker (the limit is ${opts.maxDueAgeS} s)`,
    );
  return {
    ok: migrationsOk && queueOk,
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    checks: {
      database: { ok: true },
      migrations: {
        ok: migrationsOk,
        applied: migrations.applied,
        expected: EXPECTED.length,
        lastApplied:
          migrations.lastWhen === null
            ? null
            : (EXPECTED.find((e) => e.when === migrations.lastWhen)?.tag ?? String(migrations.lastWhen)),
        lastExpected: last?.tag ?? null,
      },
      queue: { ok: queueOk, oldestDueAgeS: ageS, maxDueAgeS: opts.maxDueAgeS, queue: oldest?.queue ?? null },
    },
  };
}

// drizzle's own bookkeeping (drizzle-orm's migrator writes it), not an engine table.
async function readMigrations(db: Db): Promise<{ applied: number; lastWhen: number | null }> {
  try {
    const [r] = await db.execute<{ n: number; last: string | null }>(
      sql`select count(*)::int as n, max(created_at)::text as last from drizzle.__drizzle_migrations`,
    );
    return { applied: Number(r.n), lastWhen: r.last === null ? null : Number(r.last) };
  } catch (err) {
    // Never migrated: the table is not there yet.
    if ((err as { cause?: { code?: string } }).cause?.code === '42P01' || (err as { code?: string }).code === '42P01') {
      return { applied: 0, lastWhen: null };
    }
    throw err;
  }
}
