import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDb } from '@/lib/db';
import { copyIn, inTransaction, isTransaction, pgErrorCode, run, runArrays } from '@/lib/queue/driver';
import type { Db } from '@/lib/queue/types';
import { createTestDb, type TestDb } from '../helpers/test-db';

// What the engine relies on below drizzle's and postgres.js's public API (lib/queue/driver.ts). An
// upgrade of either that breaks one of these would otherwise show only as slower claims, a hung bulk
// enqueue or an error mapped to the wrong status.
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ max: 2 });
  await t.db.execute(sql`create table contract_copy (n int not null check (n < 100), s text)`);
});
afterAll(async () => {
  await t.close();
});

/**
 * Whether `marker`'s statement sits in this connection's cache of prepared statements. It takes a
 * parameter, as every engine statement does (postgres.js sends one without any unnamed).
 */
async function isPrepared(tx: Db, marker: string): Promise<boolean> {
  await run(tx, sql`select ${1}::int as ${sql.raw(marker)}`);
  const [r] = await run(
    tx,
    sql`select count(*)::int as n from pg_prepared_statements where statement like ${`%${marker}%`}`,
  );
  return Number(r.n) > 0;
}

describe('driver seam', () => {
  it('runs statements as named prepared statements when the connection allows it', async () => {
    // One transaction: both statements on the same connection, whose cache is being read.
    const prepared = await t.db.transaction((tx) => isPrepared(tx, 'contract_prepared'));
    expect(prepared).toBe(true);
  });

  it('does not prepare on a connection opened with prepare: false (transaction-mode poolers)', async () => {
    const { db, client } = createDb({ url: t.url, max: 1, prepare: false });
    try {
      const prepared = await db.transaction((tx) => isPrepared(tx, 'contract_unprepared'));
      expect(prepared).toBe(false);
      // And still answers.
      expect(await run(db, sql`select ${'x'}::text as v`)).toEqual([{ v: 'x' }]);
    } finally {
      await client.end({ timeout: 5 });
    }
  });

  it('returns rows as objects, or as arrays in the column order', async () => {
    const q = sql`select 1::int as a, 'two'::text as b, null::text as c union all select 3, 'four', 'x'`;
    expect(await run(t.db, q)).toEqual([
      { a: 1, b: 'two', c: null },
      { a: 3, b: 'four', c: 'x' },
    ]);
    expect(await runArrays(t.db, q)).toEqual([
      [1, 'two', null],
      [3, 'four', 'x'],
    ]);
  });

  it('copies text-format rows in through COPY', async () => {
    await inTransaction(t.db, async (tx) => {
      const { stream, failed } = await copyIn(tx, 'copy contract_copy (n, s) from stdin');
      stream.write('1\tone\n2\t\\N\n');
      stream.end('3\ttab\\there\n');
      await Promise.race([once(stream, 'finish'), failed]);
      const got = await run(tx, sql`select n, s from contract_copy order by n`);
      expect(got).toEqual([
        { n: 1, s: 'one' },
        { n: 2, s: null },
        { n: 3, s: 'tab\there' },
      ]);
      await run(tx, sql`delete from contract_copy`);
    });
  });

  it('reports a row the server refuses after the last write, instead of hanging (postgres.js #1173)', async () => {
    const err = await inTransaction(t.db, async (tx) => {
      const { stream, failed } = await copyIn(tx, 'copy contract_copy (n, s) from stdin');
      stream.end('1\tok\n500\ttoo big\n');
      return Promise.race([once(stream, 'finish'), failed]).then(
        () => null,
        (e: unknown) => e,
      );
    }).catch((e: unknown) => e);
    expect(pgErrorCode(err)).toBe('23514');
    expect(await run(t.db, sql`select count(*)::int as n from contract_copy`)).toEqual([{ n: 0 }]);
  });

  it('tells a transaction from the pool', async () => {
    expect(isTransaction(t.db)).toBe(false);
    await t.db.transaction(async (tx) => {
      expect(isTransaction(tx)).toBe(true);
      await tx.transaction(async (sp) => {
        expect(isTransaction(sp)).toBe(true);
      });
    });
    await inTransaction(t.db, async (tx) => {
      expect(isTransaction(tx)).toBe(true);
    });
  });

  it("joins the caller's transaction rather than opening another", async () => {
    const txid = sql`select txid_current()::text as id, pg_backend_pid() as pid`;
    await t.db.transaction(async (outer) => {
      const [o] = await run(outer, txid);
      await inTransaction(outer, async (inner) => {
        expect(inner).toBe(outer);
        expect(await run(inner, txid)).toEqual([o]);
      });
    });
  });

  it('carries the PostgreSQL error code on the error or its cause', async () => {
    const err = await run(t.db, sql`select 1 / ${0}::int as x`).catch((e: unknown) => e);
    expect(pgErrorCode(err)).toBe('22012');
    const arr = await runArrays(t.db, sql`select * from no_such_table`).catch((e: unknown) => e);
    expect(pgErrorCode(arr)).toBe('42P01');
    // The cause keeps the driver's error, so a logged error says what the server said.
    expect(String((err as { cause?: unknown }).cause ?? err)).toMatch(/division by zero/);
  });
});
