import type { Writable } from 'node:stream';
import type { SQL } from 'drizzle-orm';
import { PgTransaction, type PgDialect } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';
import type { Db } from './types';

// The one place the engine reaches below drizzle's and postgres.js's public API (drizzle 0.45,
// postgres.js 3.4). tests/integration/driver-contract.test.ts pins each behaviour relied on here, so an
// upgrade that moves one fails a test instead of silently re-planning every claim.

export type Row = Record<string, unknown>;

// What rows() needs of drizzle's session: `db.execute` prepares with no statement name, which makes the
// driver send every query unnamed, parsed and planned afresh. A name lets postgres.js keep the statement
// per connection (its own `prepare: false`, for transaction-mode poolers, still wins).
interface Session {
  prepareQuery(
    query: { sql: string; params: unknown[] },
    fields: undefined,
    name: string,
    arrayMode: boolean,
    mapRows?: (rows: unknown[][]) => unknown,
  ): { execute(): Promise<unknown> };
  client: Sql;
}

const inside = (db: Db) => db as unknown as { session: Session; dialect: PgDialect };

/**
 * Runs a statement as a prepared statement: the claim, complete and history statements are long CTEs
 * whose planning cost as much as their execution (measured: a 10-job claim, 2.6 → 1.7 ms). Their text
 * is fixed by the code (values travel as parameters), so the per-connection cache stays small.
 */
export async function run(db: Db, query: SQL): Promise<Row[]> {
  const { session, dialect } = inside(db);
  return (await session.prepareQuery(dialect.sqlToQuery(query), undefined, 'steady', false).execute()) as Row[];
}

const asReturned = (r: unknown[][]) => r;

/**
 * As run(), each row an array of its values in the statement's column order. The driver fills an
 * object by column name with one keyed store per column; for the 23 columns of a claimed job that
 * was a tenth of a worker's CPU (measured in a drain: 24.7 → 21.1 µs of Node per job).
 * drizzle hands rows over as arrays only to a result mapper, so the mapper passes them through.
 */
export async function runArrays(db: Db, query: SQL): Promise<unknown[][]> {
  const { session, dialect } = inside(db);
  return (await session
    .prepareQuery(dialect.sqlToQuery(query), undefined, 'steady', true, asReturned)
    .execute()) as unknown[][];
}

/** True when `db` is a transaction (or a savepoint in one), not the pool. */
export const isTransaction = (db: Db): boolean => db instanceof PgTransaction;

/** Runs `fn` in the caller's transaction when `db` is one, else in a transaction of its own. */
export const inTransaction = <T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> =>
  isTransaction(db) ? fn(db) : db.transaction((tx) => fn(tx as unknown as Db));

export interface CopyIn {
  /** Takes COPY's text format; end() it to finish, destroy(err) to abandon (the server drops the rows). */
  stream: Writable;
  /** Rejects with the server's error, whenever it comes; never resolves. */
  failed: Promise<never>;
}

/**
 * Starts `copy … from stdin` on `db`'s connection (the transaction's own, when it is one).
 * postgres.js (3.4.9, issue #1173) reports an error the server raises after the last row was sent only
 * to the query, which already resolved with the stream; the stream itself never finishes. COPY holds
 * rows until then (that is when a refused row shows), so a caller waiting on the stream alone would
 * wait forever inside its transaction. The query's reject is wrapped before it runs to see it.
 */
export async function copyIn(db: Db, statement: string): Promise<CopyIn> {
  const query = inside(db).session.client.unsafe(statement) as unknown as {
    reject: (err: unknown) => void;
    writable: () => Promise<Writable>;
  };
  let fail: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  const reject = query.reject;
  if (typeof reject !== 'function')
    throw new Error('postgres.js query has no reject(): see copyIn in lib/queue/driver.ts');
  query.reject = (err) => {
    fail(err);
    reject(err);
  };
  return { stream: await query.writable(), failed };
}

/** The SQLSTATE of a database error (drizzle wraps the driver's error, which carries it), else null. */
export function pgErrorCode(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}
