import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sql } from 'postgres';

// The engine's SQL functions and triggers, each file the one home of its current definition.
// Migrations that once created them stay as they landed (drizzle replays them on a new database);
// these files are applied after every migrate, so an edit here reaches every database on its next
// migrate with no numbered migration. Every statement is `create or replace`, so applying twice is a no-op.
const ENGINE_SQL_DIR = path.join(import.meta.dirname, 'sql');

// Dependencies first: the claim calls the limit functions, the triggers their functions.
export const ENGINE_SQL_FILES = [
  'job-ids.sql',
  'job-counts.sql',
  'limits.sql',
  'claimable.sql',
  'take-turn.sql',
] as const;

export const readEngineSql = (file: string): string => readFileSync(path.join(ENGINE_SQL_DIR, file), 'utf8');

/**
 * Applies every file in one transaction. Replacing a trigger locks `jobs` against writes for the moment
 * it takes; lock_timeout makes a migrate that queues behind a long transaction fail with a clear error
 * rather than hold every writer behind it. The advisory lock lets two processes migrate at once
 * (each replaces in turn instead of failing on a concurrently updated pg_proc row).
 */
export async function applyEngineSql(client: Sql): Promise<void> {
  await client.begin(async (tx) => {
    await tx`select set_config('lock_timeout', '10s', true), pg_advisory_xact_lock(hashtext('steady_engine_sql'))`;
    for (const file of ENGINE_SQL_FILES) {
      try {
        await tx.unsafe(readEngineSql(file)).simple();
      } catch (err) {
        throw new Error(`lib/queue/sql/${file} failed to apply: ${(err as Error).message}`, { cause: err });
      }
    }
  });
}
