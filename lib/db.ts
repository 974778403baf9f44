import 'server-only';
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from '@/drizzle/schema';
import { env } from '@/lib/env';

export type AppDb = PostgresJsDatabase<typeof schema>;

export interface DbOptions {
  url: string;
  max?: number;
  idleTimeoutS?: number;
  connectTimeoutS?: number;
  prepare?: boolean;
  applicationName?: string;
}

export function createDb(opts: DbOptions): { db: AppDb; client: postgres.Sql } {
  const client = postgres(opts.url, {
    max: opts.max ?? 5,
    idle_timeout: opts.idleTimeoutS ?? 20,
    connect_timeout: opts.connectTimeoutS ?? 5,
    prepare: opts.prepare ?? true,
    // postgres.js retries a failed connect with a delay growing to 20 s, and queries queued beyond `max`
    // wait out those delays one by one: during an outage a request would hang for minutes instead of
    // getting its 503, and after it the first queries would wait up to 20 s. Capped at 0.5 s.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    // Statements and their timestamps are read and written in UTC whatever the server's setting.
    connection: { TimeZone: 'UTC', application_name: opts.applicationName ?? 'steady' },
    onnotice: () => {},
  });
  return { db: drizzle(client, { schema }), client };
}

const globalForDb = globalThis as unknown as { steadyDb?: { db: AppDb; client: postgres.Sql } };

// One pool per process; kept on globalThis so dev hot reloads do not leak connections.
export function getDb(): AppDb {
  if (!globalForDb.steadyDb) {
    const e = env();
    globalForDb.steadyDb = createDb({
      url: e.DATABASE_URL,
      max: e.DATABASE_POOL_MAX,
      idleTimeoutS: e.DATABASE_IDLE_TIMEOUT_S,
      connectTimeoutS: e.DATABASE_CONNECT_TIMEOUT_S,
      prepare: e.DATABASE_PREPARE,
    });
  }
  return globalForDb.steadyDb.db;
}
