import { sql } from 'drizzle-orm';
import { rows, ts } from './sql';
import { parseTs } from './rows';
import { QueueError, type Db } from './types';

/**
 * Limits on what jobs spend, enforced in the claim (steady_claimable, lib/queue/sql/claimable.sql). A limit's key is
 * a job's limit key, a prefix ending in ':' (every key below it), or 'queue:<name>' (a whole queue).
 */
export interface LimitSettings {
  /** Jobs running at once; 0 pauses the key; null removes the cap. */
  concurrency?: number | null;
  /** Starts per `periodMs` (a token bucket holding up to `burst`, default `rate`); null removes it. */
  rate?: number | null;
  periodMs?: number | null;
  burst?: number | null;
}

export interface Limit {
  key: string;
  concurrency: number | null;
  rate: number | null;
  periodMs: number | null;
  burst: number | null;
  /** Starts the bucket holds now (refilled to `now`); null without a rate. */
  tokens: number | null;
  /** Jobs under this limit running now (up to 10,000). */
  running: number;
  /** Jobs under this limit due and waiting (up to 10,000; 0 when not counted). */
  waiting: number;
  cooldownUntil: Date | null;
  cooldownCause: string | null;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface LimitEvent {
  id: number;
  key: string;
  at: Date;
  actor: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** A limit's key, or a job's limit key: 1-200 characters, no spaces or control characters. */
export const LIMIT_KEY_PATTERN = /^[^\s\p{Cc}]{1,200}$/u;
export const isLimitKey = (key: string): boolean => LIMIT_KEY_PATTERN.test(key);
/** What a limit's settings may be, as the table's CHECK constraints allow (migration 0013). */
export const LIMIT_BOUNDS = {
  concurrency: { min: 0, max: 100_000 },
  rate: { min: 0, max: 1_000_000 },
  periodMs: { min: 1_000, max: 86_400_000 },
  burst: { min: 1, max: 1_000_000 },
} as const;

export function checkLimitKey(key: string): void {
  if (!isLimitKey(key))
    throw new QueueError('invalid_input', 'key must be 1-200 characters without spaces or control characters');
  if (key.startsWith('queue:') && key.length === 'queue:'.length)
    throw new QueueError('invalid_input', 'key "queue:" needs a queue name after it');
}

function whole(name: string, v: number | null | undefined, min: number, max: number): void {
  if (v === undefined || v === null) return;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new QueueError('invalid_input', `${name} must be a whole number from ${min} to ${max}`);
  }
}

const shown = (r: Record<string, unknown> | undefined) =>
  r ? { concurrency: r.concurrency, rate: r.rate, periodMs: r.period_ms, burst: r.burst } : null;

/**
 * Creates or changes the limit on `key` (only the settings given), writing who changed what to
 * limit_events in the same statement. A new or changed rate starts with a full bucket.
 */
export async function setLimit(
  db: Db,
  key: string,
  settings: LimitSettings,
  opts: { actor: string; now: Date },
): Promise<Limit> {
  checkLimitKey(key);
  for (const name of ['concurrency', 'rate', 'periodMs', 'burst'] as const) {
    whole(name, settings[name], LIMIT_BOUNDS[name].min, LIMIT_BOUNDS[name].max);
  }
  const given = (v: unknown) => v !== undefined;
  return db.transaction(async (tx) => {
    const [before] = await rows(tx, sql`select * from limits where key = ${key} for update`);
    const pick = <T>(name: keyof LimitSettings, column: string): T | null =>
      (given(settings[name]) ? settings[name] : (before?.[column] ?? null)) as T | null;
    const rate = pick<number>('rate', 'rate');
    const periodMs = rate === null ? null : (pick<number>('periodMs', 'period_ms') ?? 60_000);
    const burst = rate === null ? null : pick<number>('burst', 'burst');
    const concurrency = pick<number>('concurrency', 'concurrency');
    const rateChanged = !before || rate !== before.rate || periodMs !== before.period_ms || burst !== before.burst;
    const [row] = await rows(
      tx,
      sql`
      insert into limits (key, concurrency, rate, period_ms, burst, tokens, refilled_at, updated_at, updated_by)
      values (${key}, ${concurrency}::int, ${rate}::int, ${periodMs}::int, ${burst}::int,
              ${rate === null ? 0 : (burst ?? Math.max(rate, 1))}::float8, ${ts(opts.now)}, ${ts(opts.now)}, ${opts.actor})
      on conflict (key) do update set
        concurrency = excluded.concurrency, rate = excluded.rate, period_ms = excluded.period_ms, burst = excluded.burst,
        tokens = case when ${rateChanged} then excluded.tokens else limits.tokens end,
        refilled_at = case when ${rateChanged} then excluded.refilled_at else limits.refilled_at end,
        updated_at = excluded.updated_at, updated_by = excluded.updated_by
      returning *`,
    );
    await tx.execute(sql`insert into limit_events (key, at, actor, before, after)
      values (${key}, ${ts(opts.now)}, ${opts.actor}, ${JSON.stringify(shown(before))}::jsonb, ${JSON.stringify(shown(row))}::jsonb)`);
    return (await readLimits(tx, opts.now, { key }))[0] ?? toLimit(row, opts.now, 0, 0);
  });
}

/** Removes the limit on `key`; false when there was none. */
export async function removeLimit(db: Db, key: string, opts: { actor: string; now: Date }): Promise<boolean> {
  checkLimitKey(key);
  const [gone] = await rows(
    db,
    sql`
    with gone as (delete from limits where key = ${key} returning *),
    event as (insert into limit_events (key, at, actor, before, after)
              select key, ${ts(opts.now)}, ${opts.actor},
                     jsonb_build_object('concurrency', concurrency, 'rate', rate, 'periodMs', period_ms, 'burst', burst), null
              from gone)
    select count(*)::int as n from gone`,
  );
  return Number(gone.n) > 0;
}

/**
 * Stops every start under `key` until `until` (a provider's Retry-After): a later time wins, an
 * earlier one changes nothing. The key needs no limit of its own; one is made to hold the cool-down.
 */
export async function coolDown(
  db: Db,
  opts: { key: string; until: Date; cause: string; now: Date; actor: string },
): Promise<void> {
  checkLimitKey(opts.key);
  await rows(
    db,
    sql`
    with changed as (
      insert into limits (key, cooldown_until, cooldown_cause, updated_at, updated_by)
      values (${opts.key}, ${ts(opts.until)}, ${opts.cause.slice(0, 300)}, ${ts(opts.now)}, ${opts.actor})
      on conflict (key) do update set cooldown_until = excluded.cooldown_until, cooldown_cause = excluded.cooldown_cause,
        updated_at = excluded.updated_at, updated_by = excluded.updated_by
      where limits.cooldown_until is null or limits.cooldown_until < excluded.cooldown_until
      returning key)
    insert into limit_events (key, at, actor, before, after)
    select key, ${ts(opts.now)}, ${opts.actor}, null,
           jsonb_build_object('cooldownUntil', ${opts.until.toISOString()}::text, 'cause', ${opts.cause.slice(0, 300)}::text)
    from changed`,
  );
}

/** Ends a cool-down early (an operator's call). */
export async function endCoolDown(db: Db, opts: { key: string; now: Date; actor: string }): Promise<void> {
  checkLimitKey(opts.key);
  await rows(
    db,
    sql`
    with changed as (
      update limits set cooldown_until = null, cooldown_cause = null, updated_at = ${ts(opts.now)}, updated_by = ${opts.actor}
      where key = ${opts.key} and cooldown_until is not null returning key)
    insert into limit_events (key, at, actor, before, after)
    select key, ${ts(opts.now)}, ${opts.actor}, null, jsonb_build_object('cooldownUntil', null) from changed`,
  );
}

/** When the cool-down that holds `limitKey` (its own, or a prefix's) ends; null when none does. */
export async function coolingUntil(db: Db, limitKey: string, now: Date): Promise<Date | null> {
  const [r] = await rows(
    db,
    sql`select max(cooldown_until) as until from limits
        where cooldown_until > ${ts(now)} and steady_limit_covers(key, null, ${limitKey})`,
  );
  return r.until === null ? null : parseTs(r.until);
}

function toLimit(r: Record<string, unknown>, now: Date, running: number, waiting: number): Limit {
  const until = r.cooldown_until === null ? null : parseTs(r.cooldown_until);
  const cooling = until !== null && until > now;
  return {
    key: String(r.key),
    concurrency: r.concurrency === null ? null : Number(r.concurrency),
    rate: r.rate === null ? null : Number(r.rate),
    periodMs: r.period_ms === null ? null : Number(r.period_ms),
    burst: r.burst === null ? null : Number(r.burst),
    tokens: r.tokens_now === null || r.tokens_now === undefined ? null : Number(r.tokens_now),
    running,
    waiting,
    cooldownUntil: cooling ? until : null,
    cooldownCause: cooling ? (r.cooldown_cause as string | null) : null,
    updatedAt: parseTs(r.updated_at),
    updatedBy: (r.updated_by as string | null) ?? null,
  };
}

// Which jobs a limit covers, as the claim decides it (`j` is the job).
const covers = sql`steady_limit_covers(l.key, j.queue, j.limit_key)`;

// Running and waiting jobs are counted up to this: enough to show a key far over a lowered cap.
const COUNT_CAP = 10_000;

// The jobs running under limit `l`, found as steady_limit_room finds them: one index range for each
// kind of key (a queue's, a prefix's, a key's own) instead of testing every running job.
const runningUnder = sql`case
      when starts_with(l.key, 'queue:') then (select count(*)::int from (select 1 from jobs
        where status = 'processing' and queue = substr(l.key, 7) limit ${COUNT_CAP}) r)
      when right(l.key, 1) = ':' then (select count(*)::int from (select 1 from jobs
        where status = 'processing' and limit_key >= l.key and limit_key < l.key || chr(1114111) limit ${COUNT_CAP}) r)
      else (select count(*)::int from (select 1 from jobs
        where status = 'processing' and limit_key = l.key limit ${COUNT_CAP}) r) end`;

/**
 * Limits with their tokens and running jobs now: all, the one on `key`, or those covering one job.
 * `waiting` (due jobs under each) is a walk of up to COUNT_CAP entries per limit: left out (0) for
 * monitoring, which reads every limit on every scrape.
 */
async function readLimits(
  db: Db,
  now: Date,
  only: { key?: string; job?: { queue: string; limitKey: string | null } } = {},
  opts: { waiting?: boolean } = {},
): Promise<Limit[]> {
  const where =
    only.key !== undefined
      ? sql`where l.key = ${only.key}`
      : only.job
        ? sql`where steady_limit_covers(l.key, ${only.job.queue}, ${only.job.limitKey})`
        : sql``;
  const waiting =
    opts.waiting === false
      ? sql`0`
      : sql`(select count(*)::int from (select 1 from jobs j
      where j.status = 'pending' and j.run_at <= ${ts(now)} and ${covers} limit ${COUNT_CAP}) w)`;
  const found = await rows(
    db,
    sql`
    select l.*, room.tokens as tokens_now, ${runningUnder} as running, ${waiting} as waiting
    from limits l cross join lateral steady_limit_room(l.key, ${ts(now)}, false) room ${where}
    order by l.key`,
  );
  return found.map((r) => toLimit(r, now, Number(r.running), Number(r.waiting)));
}

/**
 * Every limit with what runs under it now, its tokens and its cool-down (running and waiting are
 * counted up to 10,000); `waiting: false` skips the count of due jobs (see readLimits).
 */
export const listLimits = (db: Db, opts: { now: Date; waiting?: boolean }): Promise<Limit[]> =>
  readLimits(db, opts.now, {}, { waiting: opts.waiting });

export async function getLimitEvents(db: Db, opts: { key?: string; limit?: number } = {}): Promise<LimitEvent[]> {
  const found = await rows(
    db,
    sql`select * from limit_events ${opts.key === undefined ? sql`` : sql`where key = ${opts.key}`}
        order by id desc limit ${Math.min(Math.max(opts.limit ?? 50, 1), 500)}`,
  );
  return found.map((r) => ({
    id: Number(r.id),
    key: String(r.key),
    at: parseTs(r.at),
    actor: String(r.actor),
    before: (r.before as Record<string, unknown> | null) ?? null,
    after: (r.after as Record<string, unknown> | null) ?? null,
  }));
}

/**
 * Why a due pending job is not being started, in words, when a limit holds it: a cool-down, a full
 * concurrency cap, a spent rate, or a key paused at 0. Null when no limit holds it.
 */
export async function limitHolding(
  db: Db,
  job: { queue: string; limitKey: string | null; status: string; runAt: Date },
  now: Date,
): Promise<string | null> {
  if (job.status !== 'pending' || job.runAt > now) return null;
  for (const l of await readLimits(db, now, { job })) {
    if (l.cooldownUntil)
      return `${l.key} is cooling down until ${l.cooldownUntil.toISOString()}${l.cooldownCause ? ` (${l.cooldownCause})` : ''}`;
    if (l.concurrency === 0 || l.rate === 0) return `${l.key} is paused by its limit`;
    if (l.concurrency !== null && l.running >= l.concurrency)
      return `${l.key} has ${l.running} of ${l.concurrency} running`;
    if (l.tokens !== null && l.tokens < 1)
      return `${l.key} has used its ${l.rate} starts per ${Math.round((l.periodMs ?? 0) / 1000)} s`;
  }
  return null;
}

/**
 * When the next limit that is closed now opens by itself: the end of the earliest cool-down, or when
 * a spent bucket has its next token. Null when none will (a full concurrency cap opens when a job ends).
 */
export async function limitsOpenAt(db: Db, now: Date): Promise<Date | null> {
  const [r] = await rows(
    db,
    sql`select min(case when l.cooldown_until > ${ts(now)} then l.cooldown_until
                        when room.tokens < 1 and l.rate > 0
                          then ${ts(now)} + ceil((1 - room.tokens) * l.period_ms / l.rate) * interval '1 millisecond' end) as at
        from limits l cross join lateral steady_limit_room(l.key, ${ts(now)}, false) room
        where l.cooldown_until > ${ts(now)} or l.rate is not null`,
  );
  return r.at === null ? null : parseTs(r.at);
}
