import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import postgres from 'postgres';
import { createDb, type AppDb } from '@/lib/db';
import { TEMPLATE_DB } from './test-db-names';

export interface TestDb {
  db: AppDb;
  url: string;
  name: string;
  /** Another pool on the same database: for concurrency tests that need separate connections. */
  connect(max?: number): { db: AppDb; end: () => Promise<void> };
  close(): Promise<void>;
}

/** A fresh database copied from the migrated template: isolated per test file, ready in ~50 ms. */
export async function createTestDb(opts: { max?: number } = {}): Promise<TestDb> {
  const adminUrl = inject('adminUrl');
  const name = `steady_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${TEMPLATE_DB}`);
  await admin.end({ timeout: 5 });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pools: { end: () => Promise<void> }[] = [];
  const connect = (max = 10) => {
    const { db, client } = createDb({ url: url.toString(), max });
    const end = () => client.end({ timeout: 5 });
    pools.push({ end });
    return { db, end };
  };
  const main = connect(opts.max ?? 10);
  return {
    db: main.db,
    url: url.toString(),
    name,
    connect,
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end({ timeout: 5 });
    },
  };
}
