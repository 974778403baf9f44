import { sql, type SQL } from 'drizzle-orm';
import type { Sql } from 'postgres';

/** Enqueues notify this channel with the comma-separated queues that got due jobs ('' = any queue). */
export const JOBS_CHANNEL = 'steady_jobs';

/**
 * Subscribes to a channel on a connection of its own. `onReconnect` runs after a dropped connection
 * is listening again: notifications sent in between are lost, so the worker claims once to catch up.
 */
export type Listen = (
  channel: string,
  onNotify: (payload: string) => void,
  onReconnect?: () => void,
) => Promise<{ close: () => Promise<void> }>;

/**
 * LISTEN through a postgres.js client, which keeps one dedicated connection for it and re-subscribes
 * after a reconnect. Transaction-mode poolers (PgBouncer, Supavisor) drop LISTEN: give the worker a
 * direct connection string for this, or leave `listen` out and let it poll.
 */
export function listenWith(client: Sql): Listen {
  return async (channel, onNotify, onReconnect) => {
    let first = true;
    const sub = await client.listen(channel, onNotify, () => {
      if (!first) onReconnect?.();
      first = false;
    });
    return { close: () => sub.unlisten() };
  };
}

// The payload: the queues that got due jobs, comma-separated; none named means any queue (wakesFor).
const toPayload = (queues: readonly string[]) => queues.join(',');

/**
 * One notification per statement, and only when `due` (a query over the statement's inserted or changed
 * rows) has a row: NOTIFY takes a lock held through commit, so a notification per job would serialise
 * every enqueueing transaction behind the one before it.
 */
export const notifyWhen = (due: SQL, queues: readonly string[]): SQL =>
  sql`(select pg_notify(${JOBS_CHANNEL}, ${toPayload(queues)}) where exists (${due}))`;

/** The same notification as a statement of its own, for writes that cannot carry it (COPY). */
export const notifyNow = (queues: readonly string[]): SQL => sql`select pg_notify(${JOBS_CHANNEL}, ${toPayload(queues)})`;

/** True when a notification's payload names one of `queues` (or names none, meaning any). */
export function wakesFor(payload: string, queues: readonly string[] | undefined): boolean {
  if (!queues || payload === '') return true;
  return payload.split(',').some((q) => queues.includes(q));
}
