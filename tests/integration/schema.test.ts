import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_FILE, dumpSchema } from '@/scripts/lib/schema-dump';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ max: 1 });
});
afterAll(async () => {
  await t.close();
});

describe('drizzle/schema.sql', () => {
  it('is the schema a freshly migrated database has', async () => {
    const committed = readFileSync(path.resolve(import.meta.dirname, '../..', SCHEMA_FILE), 'utf8');
    const dumped = await dumpSchema(t.url);
    if (dumped !== committed) {
      // The diff below shows what changed; the message says how to mend it.
      expect(
        dumped,
        `${SCHEMA_FILE} is not the schema the migrations produce: run npm run db:schema and commit it`,
      ).toBe(committed);
    }
  });

  it('dumps the same text twice', async () => {
    expect(await dumpSchema(t.url)).toBe(await dumpSchema(t.url));
  });
});
