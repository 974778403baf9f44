import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { ENGINE_SQL_FILES, readEngineSql } from '@/lib/queue/definitions';
import { createTestDb, type TestDb } from '../helpers/test-db';

let t: TestDb;
let client: postgres.Sql;
beforeAll(async () => {
  t = await createTestDb({ max: 1 });
  client = postgres(t.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await client.end({ timeout: 5 });
  await t.close();
});

const named = (pattern: RegExp) =>
  new Set(ENGINE_SQL_FILES.flatMap((f) => [...readEngineSql(f).matchAll(pattern)].map((m) => m[1].toLowerCase())));

type Tx = postgres.TransactionSql;
const functions = async (sql: Tx) =>
  Object.fromEntries(
    (
      await sql<{ sig: string; def: string }[]>`
  select p.oid::regprocedure::text as sig, pg_get_functiondef(p.oid) as def from pg_proc p
  where p.pronamespace = 'public'::regnamespace and p.prokind in ('f', 'p')
    and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
  order by 1`
    ).map((r) => [r.sig, r.def]),
  );
const triggers = async (sql: Tx) =>
  Object.fromEntries(
    (
      await sql<{ name: string; def: string }[]>`
  select t.tgname as name, pg_get_triggerdef(t.oid) as def from pg_trigger t
  join pg_class c on c.oid = t.tgrelid
  where c.relnamespace = 'public'::regnamespace and not t.tgisinternal order by 1`
    ).map((r) => [r.name, r.def]),
  );

// Thrown to roll the transaction back once the comparison is read.
class Rollback extends Error {}

describe('lib/queue/sql', () => {
  it('defines every function and trigger the migrated database has, and no other', async () => {
    await client.begin(async (sql) => {
      const fnNames = new Set(Object.keys(await functions(sql)).map((sig) => sig.slice(0, sig.indexOf('('))));
      expect(fnNames).toEqual(named(/create\s+or\s+replace\s+function\s+(\w+)/gi));
      expect(new Set(Object.keys(await triggers(sql)))).toEqual(named(/create\s+or\s+replace\s+trigger\s+(\w+)/gi));
    });
  });

  it('holds the definitions the database has after migrating: applying them again changes nothing', async () => {
    await expect(
      client.begin(async (sql) => {
        const before = { functions: await functions(sql), triggers: await triggers(sql) };
        for (const file of ENGINE_SQL_FILES) await sql.unsafe(readEngineSql(file)).simple();
        expect({ functions: await functions(sql), triggers: await triggers(sql) }).toEqual(before);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
  });

  it('says so when a definition in the database differs from its file', async () => {
    await expect(
      client.begin(async (sql) => {
        const before = await functions(sql);
        await sql.unsafe(`create or replace function steady_limit_covers(p_limit text, p_queue text, p_limit_key text)
        returns boolean language sql immutable as $$ select false $$`);
        const drifted = await functions(sql);
        for (const file of ENGINE_SQL_FILES) await sql.unsafe(readEngineSql(file)).simple();
        expect(drifted).not.toEqual(await functions(sql));
        expect(await functions(sql)).toEqual(before);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
  });
});
