import path from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
// Past the engine's door on purpose: migration-time code that reads files, kept out of the index the app bundles.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import { applyEngineSql } from '../../lib/queue/definitions';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../drizzle/migrations');

/**
 * Applies the committed migrations, then the engine's functions and triggers (lib/queue/sql), whose
 * files hold their current definitions; the same files production runs.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    await applyEngineSql(client);
  } finally {
    await client.end({ timeout: 5 });
  }
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Bad database name ${name}`);
  const client = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [found] = await client`select 1 from pg_database where datname = ${name}`;
    if (!found) await client.unsafe(`create database ${name}`);
  } finally {
    await client.end({ timeout: 5 });
  }
}
