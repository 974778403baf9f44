/**
 * `npm run db:schema`: migrates a throwaway embedded PostgreSQL and writes its schema to
 * drizzle/schema.sql, the whole schema readable in one place. A test compares a freshly migrated
 * database with the committed file, so run this after adding a migration or changing lib/queue/sql.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from './lib/embedded-pg';
import { ensureDatabase, migrateDatabase } from './lib/migrate';
import { SCHEMA_FILE, dumpSchema } from './lib/schema-dump';

const dir = mkdtempSync(path.join(tmpdir(), 'steady-schema-'));
chmodSync(dir, 0o755); // the server runs as user postgres
const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), ephemeral: true });
try {
  await ensureDatabase(pg.url('postgres'), 'steady');
  await migrateDatabase(pg.url('steady'));
  const target = path.resolve(import.meta.dirname, '..', SCHEMA_FILE);
  writeFileSync(target, await dumpSchema(pg.url('steady')));
  console.log(`wrote ${SCHEMA_FILE}`);
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
