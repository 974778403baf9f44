import { sql } from 'drizzle-orm';
import { rows, ts } from './sql';
import { parseBackoff, type BackoffPolicy } from './backoff';
import { parseTs } from './rows';
import { DEFAULT_MAX_ATTEMPTS, type Db } from './types';

export interface QueueConfig {
  name: string;
  paused: boolean;
  defaultMaxAttempts: number;
  backoff: BackoffPolicy;
  updatedAt: Date;
}

const toConfig = (r: Record<string, unknown>): QueueConfig => ({
  name: String(r.name),
  paused: Boolean(r.paused),
  defaultMaxAttempts: Number(r.default_max_attempts),
  backoff: parseBackoff(r.backoff),
  updatedAt: parseTs(r.updated_at),
});

export async function listQueues(db: Db): Promise<QueueConfig[]> {
  return (await rows(db, sql`select * from queues order by name`)).map(toConfig);
}

export interface QueueSettings {
  defaultMaxAttempts?: number;
  backoff?: Partial<BackoffPolicy>;
}

/** Creates the queue or changes only the settings given. A queue's limits are limits on 'queue:<name>' (setLimit). */
export async function configureQueue(
  db: Db,
  name: string,
  settings: QueueSettings,
  opts: { now: Date },
): Promise<QueueConfig> {
  const backoff = settings.backoff ? JSON.stringify(parseBackoff(settings.backoff)) : null;
  const [row] = await rows(
    db,
    sql`
    insert into queues (name, default_max_attempts, backoff, updated_at)
    values (${name}, coalesce(${settings.defaultMaxAttempts ?? null}::int, ${DEFAULT_MAX_ATTEMPTS}), coalesce(${backoff}::jsonb, '{}'),
            ${ts(opts.now)})
    on conflict (name) do update set
      default_max_attempts = coalesce(${settings.defaultMaxAttempts ?? null}::int, queues.default_max_attempts),
      backoff = coalesce(${backoff}::jsonb, queues.backoff),
      updated_at = ${ts(opts.now)}
    returning *`,
  );
  return toConfig(row);
}

/** Claims skip a paused queue's jobs; jobs already running finish normally. */
export async function setQueuePaused(db: Db, opts: { name: string; paused: boolean; now: Date }): Promise<QueueConfig> {
  const [row] = await rows(
    db,
    sql`insert into queues (name, paused, updated_at) values (${opts.name}, ${opts.paused}, ${ts(opts.now)})
        on conflict (name) do update set paused = excluded.paused, updated_at = excluded.updated_at
        returning *`,
  );
  return toConfig(row);
}
