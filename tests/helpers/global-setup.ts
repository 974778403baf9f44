import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@/scripts/lib/embedded-pg';
import { ensureDatabase, migrateDatabase } from '@/scripts/lib/migrate';
import { TEMPLATE_DB, adminUrlFrom } from './test-db-names';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}

/** One server for the run (embedded, or DATABASE_URL); one migrated template every test database copies. */
export default async function setup(project: TestProject) {
  let adminUrl: string;
  let stop = async () => {};
  if (process.env.DATABASE_URL) {
    adminUrl = adminUrlFrom(process.env.DATABASE_URL);
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'steady-test-pg-'));
    chmodSync(dir, 0o755); // the server runs as user postgres
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), ephemeral: true });
    adminUrl = pg.url('postgres');
    stop = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  await dropDatabase(adminUrl, TEMPLATE_DB);
  await ensureDatabase(adminUrl, TEMPLATE_DB);
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DB}`;
  await migrateDatabase(url.toString());
  project.provide('adminUrl', adminUrl);
  return async () => {
    await dropDatabase(adminUrl, TEMPLATE_DB).catch(() => {});
    await stop();
  };
}

async function dropDatabase(adminUrl: string, name: string) {
  const { default: postgres } = await import('postgres');
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
