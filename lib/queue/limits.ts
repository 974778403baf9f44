import { sql } from 'drizzle-orm';
import { rows, ts } from './sql';
import { parseTs } from './rows';
import { QueueError, type Db } from './types';

/**
 * Limits on what jobs spend, enforced in the claim (steady_claimable, migration 0014). A limit's key is
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
  /** Jobs under this limit running now. */
  running: number;
  /** Jobs under this limit due and waiting. */
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

const KEY = /^[^\s\p{Cc}]{1,200}$/u;
const MAX = { concurrency: 100_000, rate: 1_000_000, burst: 1_000_000 };
export const PERIOD_MS = { min: 1_000, max: 86_400_000 };

export function checkLimitKey(key: string): void {
  if (!KEY.test(key)) throw new QueueError('invalid_input', 'key must be 1-200 characters without spaces or control characters');
  if (key.startsWith('queue:') && key.length === 'queue:'.length) throw new QueueError('invalid_input', 'key "queue:" needs a queue name after it');
}

function whole(name: string, v: number | null | undefined, min: number, max: number): void {
  if (v === undefined || v === null) return;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new QueueError('invalid_input', `${name} must be a whole number from ${min} to ${max}`);
  }
}

/** The bucket's tokens at `now`, as the claim computes them. */
function tokensAt(r: Record<string, unknown>, now: Date): number | null {
  if (r.rate === null) return null;
  const burst = r.burst === null ? Math.max(Number(r.rate), 1) : Number(r.burst);
  if (r.refilled_at === null) return burst;
  const elapsed = Math.max(0, now.getTime() - parseTs(r.refilled_at).getTime());
  return Math.min(burst, Number(r.tokens) + (Number(r.rate) * elapsed) / Number(r.period_ms));
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
  whole('concurrency', settings.concurrency, 0, MAX.concurrency);
  whole('rate', settings.rate, 0, MAX.rate);
  whole('periodMs', settings.periodMs, PERIOD_MS.min, PERIOD_MS.max);
  whole('burst', settings.burst, 1, MAX.burst);
  const given = (v: unknown) => v !== undefined;
  return db.transaction(async (tx) => {
    const [before] = await rows(tx, sql`select * from limits where key = ${key} for update`);
    const pick = <T>(name: keyof LimitSettings, column: string): T | null =>
      (given(settings[name]) ? settings[name] : before?.[column] ?? null) as T | null;
    const rate = pick<number>('rate', 'rate');
    const periodMs = rate === null ? null : pick<number>('periodMs', 'period_ms') ?? 60_000;
    const burst = rate === null ? null : pick<number>('burst', 'burst');
    const concurrency = pick<number>('concurrency', 'concurrency');
    const rateChanged = !before || rate !== before.rate || periodMs !== before.period_ms || burst !== before.burst;
    const [row] = await rows(
      tx,
      sql`
      insert into limits (key, concurrency, rate, period_ms, burst, tokens, refilled_at, updated_at, updated_by)
      values (${key}, ${concurrency}::int, ${rate}::int, ${periodMs}::int, ${burst}::int,
              ${rate === null ? 0 : burst ?? Math.max(rate, 1)}::float8, ${ts(opts.now)}, ${ts(opts.now)}, ${opts.actor})
      on conflict (key) do update set
        concurrency = excluded.concurrency, rate = excluded.rate, period_ms = excluded.period_ms, burst = excluded.burst,
        tokens = case when ${rateChanged} then excluded.tokens else limits.tokens end,
        refilled_at = case when ${rateChanged} then excluded.refilled_at else limits.refilled_at end,
        updated_at = excluded.updated_at, updated_by = excluded.updated_by
      returning *`,
    );
    await tx.execute(sql`insert into limit_events (key, at, actor, before, after)
      values (${key}, ${ts(opts.now)}, ${opts.actor}, ${JSON.stringify(shown(before))}::jsonb, ${JSON.stringify(shown(row))}::jsonb)`);
    return (await readLimits(tx, opts.now, key))[0] ?? toLimit(row, opts.now, 0, 0);
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
        where cooldown_until > ${ts(now)} and (key = ${limitKey} or (right(key, 1) = ':' and starts_with(${limitKey}, key)))`,
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
    tokens: tokensAt(r, now),
    running,
    waiting,
    cooldownUntil: cooling ? until : null,
    cooldownCause: cooling ? (r.cooldown_cause as string | null) : null,
    updatedAt: parseTs(r.updated_at),
    updatedBy: (r.updated_by as string | null) ?? null,
  };
}

// Which jobs a limit covers, as the claim decides it (`j` is the job).
const covers = sql`(case when starts_with(l.key, 'queue:') then j.queue = substr(l.key, 7)
                         when right(l.key, 1) = ':' then starts_with(j.limit_key, l.key)
                         else j.limit_key = l.key end)`;

async function readLimits(db: Db, now: Date, key?: string): Promise<Limit[]> {
  const found = await rows(
    db,
    sql`
    select l.*,
      (select count(*)::int from jobs j where j.status = 'processing' and ${covers}) as running,
      (select count(*)::int from (select 1 from jobs j where j.status = 'pending' and j.run_at <= ${ts(now)} and ${covers}
                                  limit 10000) w) as waiting
    from limits l ${key === undefined ? sql`` : sql`where l.key = ${key}`}
    order by l.key`,
  );
  return found.map((r) => toLimit(r, now, Number(r.running), Number(r.waiting)));
}

/** Every limit with what runs under it now, its tokens and its cool-down (waiting is counted up to 10,000). */
export const listLimits = (db: Db, opts: { now: Date }): Promise<Limit[]> => readLimits(db, opts.now);

export async function getLimitEvents(db: Db, opts: { key?: string; limit?: number } = {}): Promise<LimitEvent[]> {
  const found = await rows(
    db,
    sql`select * from limit_events ${opts.key === undefined ? sql`` : sql`where key = ${opts.key}`}
        order by id desc limit ${Math.min(Math.max(opts.limit ?? 50, 1), 500)}`,
  );
  return found.map((r) => ({
    id: Number(r.id), key: String(r.key), at: parseTs(r.at), actor: String(r.actor),
    before: (r.before as Record<string, unknown> | null) ?? null, after: (r.after as Record<string, unknown> | null) ?? null,
  }));
}

/**
 * Why a due pending job is not being started, in words, when a limit holds it: a cool-down, a full
 * concurrency cap, a spent rate, or a key paused at 0. Null when no limit holds it.
 */
export async function limitHolding(db: Db, job: { queue: string; limitKey: string | null; status: string; runAt: Date }, now: Date): Promise<string | null> {
  if (job.status !== 'pending' || job.runAt > now) return null;
  const keys = new Set([`queue:${job.queue}`, ...(job.limitKey ? [job.limitKey] : [])]);
  const all = await readLimits(db, now);
  const covering = all.filter((l) => keys.has(l.key) || (job.limitKey !== null && l.key.endsWith(':') && job.limitKey.startsWith(l.key)));
  for (const l of covering) {
    if (l.cooldownUntil) return `${l.key} is cooling down until ${l.cooldownUntil.toISOString()}${l.cooldownCause ? ` (${l.cooldownCause})` : ''}`;
    if (l.concurrency === 0 || l.rate === 0) return `${l.key} is paused by its limit`;
    if (l.concurrency !== null && l.running >= l.concurrency) return `${l.key} has ${l.running} of ${l.concurrency} running`;
    if (l.tokens !== null && l.tokens < 1) return `${l.key} has used its ${l.rate} starts per ${Math.round((l.periodMs ?? 0) / 1000)} s`;
  }
  return null;
}

/**
 * When the next limit that is closed now opens by itself: the end of the earliest cool-down, or when
 * a spent bucket has its next token. Null when none will (a full concurrency cap opens when a job ends).
 */
export async function limitsOpenAt(db: Db, now: Date): Promise<Date | null> {
  const found = await rows(db, sql`select * from limits where cooldown_until > ${ts(now)} or rate is not null`);
  let soonest: number | null = null;
  for (const r of found) {
    let at: number | null = null;
    if (r.cooldown_until !== null && parseTs(r.cooldown_until) > now) at = parseTs(r.cooldown_until).getTime();
    else {
      const tokens = tokensAt(r, now);
      if (tokens !== null && tokens < 1 && Number(r.rate) > 0) at = now.getTime() + Math.ceil(((1 - tokens) * Number(r.period_ms)) / Number(r.rate));
    }
    if (at !== null && (soonest === null || at < soonest)) soonest = at;
  }
  return soonest === null ? null : new Date(soonest);
}
