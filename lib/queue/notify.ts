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
export function listenWith(client: Sql, opts: { probeMs?: number } = {}): Listen {
  const probeMs = Math.max(100, opts.probeMs ?? LISTEN_PROBE_MS);
  return async (channel, onNotify, onReconnect) => {
    const state: ListenState = {
      channel,
      subscribedAt: null,
      lastNotificationAt: null,
      reconnects: 0,
      probeSentAt: null,
      probeMs,
    };
    listenStates.add(state);
    let first = true;
    try {
      const sub = await client.listen(
        channel,
        (payload) => {
          state.lastNotificationAt = new Date();
          onNotify(payload);
        },
        () => {
          state.subscribedAt = new Date();
          if (!first) {
            state.reconnects++;
            onReconnect?.();
          }
          first = false;
        },
      );
      // A dropped LISTEN connection says nothing until it is back (and postgres.js gives up for good when
      // its one attempt to re-subscribe fails): a notification this process sends itself, every probeMs,
      // shows whether the connection still delivers.
      const mark = `${process.pid}:${Math.random().toString(36).slice(2)}`;
      const echo = await client.listen(LISTEN_PROBE_CHANNEL, (payload) => {
        if (payload === mark) state.probeSentAt = null;
      });
      const probe = setInterval(() => {
        state.probeSentAt ??= new Date();
        client`select pg_notify(${LISTEN_PROBE_CHANNEL}, ${mark})`.catch(() => {});
      }, probeMs);
      probe.unref();
      return {
        close: async () => {
          clearInterval(probe);
          listenStates.delete(state);
          await Promise.all([sub.unlisten(), echo.unlisten()]);
        },
      };
    } catch (err) {
      listenStates.delete(state);
      throw err;
    }
  };
}

/** How often a LISTEN checks that its connection still delivers (listenWith's `probeMs`). */
const LISTEN_PROBE_MS = 30_000;
const LISTEN_PROBE_CHANNEL = 'steady_listen_probe';

interface ListenState {
  channel: string;
  subscribedAt: Date | null;
  lastNotificationAt: Date | null;
  reconnects: number;
  /** A probe sent and not yet heard back; null when the last one came back. */
  probeSentAt: Date | null;
  probeMs: number;
}

const listenStates = new Set<ListenState>();

export interface ListenHealth {
  /** LISTENs open in this process (a continuous worker holds one). */
  listeners: number;
  /** Every open LISTEN is subscribed and its last probe came back within its interval. */
  connected: boolean;
  /** The newest notification any of them received; null when none has. */
  lastNotificationAt: Date | null;
  /** Re-subscriptions after a dropped connection, over the open LISTENs. */
  reconnects: number;
}

/** The LISTEN connections of this process only: another process's worker is not seen here. */
export function listenHealth(now: Date = new Date()): ListenHealth {
  let connected = listenStates.size > 0;
  let last: Date | null = null;
  let reconnects = 0;
  for (const s of listenStates) {
    const probeLate = s.probeSentAt !== null && now.getTime() - s.probeSentAt.getTime() > s.probeMs;
    if (s.subscribedAt === null || probeLate) connected = false;
    if (s.lastNotificationAt && (!last || s.lastNotificationAt > last)) last = s.lastNotificationAt;
    reconnects += s.reconnects;
  }
  return { listeners: listenStates.size, connected, lastNotificationAt: last, reconnects };
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
export const notifyNow = (queues: readonly string[]): SQL =>
  sql`select pg_notify(${JOBS_CHANNEL}, ${toPayload(queues)})`;

/** True when a notification's payload names one of `queues` (or names none, meaning any). */
export function wakesFor(payload: string, queues: readonly string[] | undefined): boolean {
  if (!queues || payload === '') return true;
  return payload.split(',').some((q) => queues.includes(q));
}
