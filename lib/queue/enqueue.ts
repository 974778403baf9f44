import { sql, type SQL } from 'drizzle-orm';
import { inTransaction, isTransaction, rows, textArray, ts } from './sql';
import { toJob } from './rows';
import { JOB_SELECT } from './job-columns';
import { insertJobs, type Prepared } from './insert-jobs';
import { copyJobs } from './copy-jobs';
import { isLimitKey } from './limits';
import { newJobId } from './ids';
import { GroupCommit } from './group-commit';
import { notifyWhen } from './notify';
import { endEnqueueSpan, startEnqueueSpan } from './tracing';
import type { JobTypes } from './registry';
import {
  DEFAULT_MAX_ATTEMPTS,
  MAX_PAYLOAD_BYTES,
  PRIORITY,
  PRIORITY_MAX,
  PRIORITY_MIN,
  isUuid,
  QueueError,
  type Db,
  type Job,
  type PriorityName,
} from './types';

export interface EnqueueInput {
  type: string;
  payload?: unknown;
  /** Defaults to the type's queue. */
  queue?: string;
  priority?: number | PriorityName;
  runAt?: Date;
  delayMs?: number;
  maxAttempts?: number;
  /** While a job with this key is unfinished, enqueueing the key again returns that job. */
  dedupKey?: string;
  correlationId?: string;
  userId?: string;
  entity?: { type: string; id: string };
  metadata?: Record<string, unknown>;
  stage?: string;
  /** Whose work it is; defaults to what the type derives from the payload (JobType.ownerKey). */
  ownerKey?: string;
}

export interface EnqueueResult {
  job: Job;
  created: boolean;
}

function resolvePriority(p: EnqueueInput['priority']): number {
  if (p === undefined) return PRIORITY.normal;
  if (typeof p === 'string') {
    if (!(p in PRIORITY)) throw new QueueError('invalid_input', `Unknown priority "${p}"`);
    return PRIORITY[p];
  }
  if (!Number.isInteger(p) || p < PRIORITY_MIN || p > PRIORITY_MAX) {
    throw new QueueError('invalid_input', `priority must be an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX}`);
  }
  return p;
}

function limitKeyOf(def: JobTypes[string], payload: unknown, type: string): string | null {
  const key = def.limitKey?.(payload) ?? null;
  if (key !== null && (!isLimitKey(key) || key.startsWith('queue:'))) {
    throw new QueueError(
      'invalid_input',
      `${type}: limit key "${String(key).slice(0, 60)}" must be 1-200 characters without spaces, not starting with "queue:"`,
    );
  }
  return key;
}

// A user id or a tenant's name: spaces allowed, control characters not (as in a limit key).
const OWNER_KEY_PATTERN = /^\P{Cc}{1,200}$/u;

function ownerKeyOf(def: JobTypes[string], payload: unknown, input: EnqueueInput): string | null {
  const key = input.ownerKey ?? def.ownerKey?.(payload) ?? null;
  if (key !== null && (typeof key !== 'string' || !OWNER_KEY_PATTERN.test(key))) {
    throw new QueueError(
      'invalid_input',
      `${input.type}: owner key must be 1-200 characters without control characters`,
    );
  }
  return key;
}

function prepare(types: JobTypes, input: EnqueueInput, now: Date): Prepared {
  const def = types[input.type];
  if (!def) throw new QueueError('unknown_type', `Unknown job type "${input.type}"`, { type: input.type });
  const parsed = def.payloadSchema.safeParse(input.payload ?? {});
  if (!parsed.success) {
    throw new QueueError('invalid_input', `Invalid payload for ${input.type}`, parsed.error.issues);
  }
  const payloadJson = JSON.stringify(parsed.data ?? {});
  const bytes = Buffer.byteLength(payloadJson);
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new QueueError('payload_too_large', `Payload is ${bytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
  if (input.userId !== undefined && !isUuid(input.userId)) {
    throw new QueueError('invalid_input', 'userId must be a UUID');
  }
  const maxAttempts = input.maxAttempts ?? def.maxAttempts ?? null;
  if (maxAttempts !== null && (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)) {
    throw new QueueError('invalid_input', 'maxAttempts must be an integer from 1 to 100');
  }
  const runAt = input.runAt ?? new Date(now.getTime() + Math.max(0, input.delayMs ?? 0));
  if (Number.isNaN(runAt.getTime())) throw new QueueError('invalid_input', 'runAt is not a valid date');
  return {
    id: newJobId(now.getTime()),
    createdAt: now,
    queue: input.queue ?? def.queue,
    type: input.type,
    payloadJson,
    priority: resolvePriority(input.priority),
    runAt,
    maxAttempts,
    dedupKey: input.dedupKey ?? null,
    correlationId: input.correlationId ?? null,
    // Lower case, as PostgreSQL prints a uuid: the returned job matches what a later read gives.
    userId: input.userId?.toLowerCase() ?? null,
    entityType: input.entity?.type ?? null,
    entityId: input.entity?.id ?? null,
    metadata: input.metadata ?? null,
    stage: input.stage ?? null,
    limitKey: limitKeyOf(def, parsed.data, input.type),
    ownerKey: ownerKeyOf(def, parsed.data, input),
  };
}

async function findUnfinishedByKeys(db: Db, keys: string[]): Promise<Job[]> {
  const found = await rows(
    db,
    sql`select ${JOB_SELECT} from jobs where dedup_key = any(${textArray(keys)})
        and status in ('pending', 'processing', 'paused')`,
  );
  return found.map(toJob);
}

/**
 * Inserts, then resolves every row skipped by a dedup conflict to the job holding its key. Without dedup
 * keys that is one INSERT, atomic by itself; with them it can take more statements, and one transaction
 * keeps the call all or none.
 */
function insertWithDedup(db: Db, prepared: Prepared[]): Promise<EnqueueResult[]> {
  if (prepared.every((p) => p.dedupKey === null)) return insertRounds(db, prepared);
  return inTransaction(db, (tx) => insertRounds(tx, prepared));
}

async function insertRounds(db: Db, prepared: Prepared[]): Promise<EnqueueResult[]> {
  const results = new Map<string, EnqueueResult>();
  let pending = prepared;
  // A key's holder may finish between our insert and our read; then the key is free and we insert again.
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    const created = await insertJobs(db, pending);
    // Nothing skipped (always so without dedup keys): the jobs come back in input order.
    if (round === 0 && created.length === prepared.length) return created.map((job) => ({ job, created: true }));
    for (const job of created) results.set(job.id, { job, created: true });
    const skipped = pending.filter((p) => !results.has(p.id));
    pending = [];
    if (skipped.length === 0) break;
    const keys = [...new Set(skipped.map((p) => p.dedupKey).filter((k): k is string => k !== null))];
    const existing = new Map((await findUnfinishedByKeys(db, keys)).map((j) => [j.dedupKey!, j]));
    const createdByKey = new Map(created.filter((j) => j.dedupKey).map((j) => [j.dedupKey!, j]));
    for (const p of skipped) {
      const holder = createdByKey.get(p.dedupKey!) ?? existing.get(p.dedupKey!);
      if (holder) results.set(p.id, { job: holder, created: false });
      else pending.push(p);
    }
  }
  if (pending.length > 0) {
    throw new QueueError('conflict', 'Could not enqueue: the dedup key kept changing hands', {
      keys: pending.map((p) => p.dedupKey),
    });
  }
  return prepared.map((p) => results.get(p.id)!);
}

type Settled = { results: EnqueueResult[] } | { error: unknown };

// Calls of at least this many jobs, none with a dedup key, are written with COPY (see copyJobs).
const COPY_MIN_JOBS = 1000;
// Calls of at most this many jobs on a pool (not in a caller's transaction) may share a statement.
const GROUP_MAX_JOBS = 100;
const groups = new WeakMap<Db, GroupCommit<Prepared[], Settled>>();

/**
 * Concurrent enqueues on the same pool share one INSERT: ten requests enqueueing at once cost one
 * statement, one commit and one NOTIFY instead of ten commits queued behind NOTIFY's lock. Each call
 * still resolves only after its rows are committed. If the shared statement fails, each call is
 * retried alone, so one bad row fails only its own call.
 */
function groupFor(db: Db): GroupCommit<Prepared[], Settled> {
  let group = groups.get(db);
  if (!group) {
    group = new GroupCommit<Prepared[], Settled>(async (calls) => {
      try {
        const all = await insertWithDedup(db, calls.flat());
        let at = 0;
        return calls.map((c) => ({ results: all.slice(at, (at += c.length)) }));
      } catch {
        return Promise.all(
          calls.map((c) =>
            insertWithDedup(db, c).then(
              (results) => ({ results }),
              (error) => ({ error }),
            ),
          ),
        );
      }
    }, 50);
    groups.set(db, group);
  }
  return group;
}

export async function enqueueJobs(
  db: Db,
  types: JobTypes,
  inputs: EnqueueInput[],
  opts: { now?: Date } = {},
): Promise<EnqueueResult[]> {
  const { span, traceparent } = startEnqueueSpan(inputs.length, () => [
    ...new Set(inputs.map((i) => i.queue ?? types[i.type]?.queue ?? '')),
  ]);
  try {
    // The enqueue's span goes with each job (a caller's own traceparent is kept), for its runs to join.
    const traced =
      traceparent === null
        ? inputs
        : inputs.map((i) =>
            i.metadata?.traceparent === undefined ? { ...i, metadata: { ...i.metadata, traceparent } } : i,
          );
    const results = await insertEnqueued(db, types, traced, opts.now ?? new Date());
    endEnqueueSpan(span, { id: results.length === 1 ? results[0].job.id : undefined });
    return results;
  } catch (err) {
    endEnqueueSpan(span, { error: err });
    throw err;
  }
}

async function insertEnqueued(db: Db, types: JobTypes, inputs: EnqueueInput[], now: Date): Promise<EnqueueResult[]> {
  if (inputs.length >= COPY_MIN_JOBS && inputs.every((i) => i.dedupKey == null)) {
    const jobs = await copyJobs(db, inputs, (i) => prepare(types, i, now));
    return jobs.map((job) => ({ job, created: true }));
  }
  const prepared = inputs.map((i) => prepare(types, i, now));
  if (prepared.length === 0) return [];
  if (prepared.length > GROUP_MAX_JOBS || isTransaction(db)) return insertWithDedup(db, prepared);
  const settled = await groupFor(db).add(prepared);
  if ('error' in settled) throw settled.error;
  return settled.results;
}

export async function enqueueJob(
  db: Db,
  types: JobTypes,
  input: EnqueueInput,
  opts: { now?: Date } = {},
): Promise<EnqueueResult> {
  const [result] = await enqueueJobs(db, types, [input], opts);
  return result;
}

/**
 * Set-based enqueue for large fan-outs (100,000s of rows): `source` is a SELECT yielding the columns
 * queue, type, payload, priority, dedup_key, user_id, entity_type, entity_id, limit_key. The caller owns the
 * payload's shape, since rows never pass through JavaScript. One NOTIFY (for any queue) wakes idle
 * workers when anything was created. ON CONFLICT rather than a NOT EXISTS pre-filter: the anti-join's
 * plan follows the statistics, and with an empty-looking jobs table it became a scan per source row.
 * Rows go in in dedup-key order with ids ascending in that order (steady_fanout_job_id, migration
 * 0011): each index entry lands next to the one before instead of on a random leaf.
 */
export async function enqueueFromSelect(
  db: Db,
  source: SQL,
  opts: { now: Date; maxAttempts?: number },
): Promise<{ created: number; existing: number }> {
  const { span, traceparent } = startEnqueueSpan(0, () => []);
  try {
    const done = await insertFromSelect(db, source, opts, traceparent);
    span.setAttribute('messaging.batch.message_count', done.created);
    endEnqueueSpan(span, {});
    return done;
  } catch (err) {
    endEnqueueSpan(span, { error: err });
    throw err;
  }
}

async function insertFromSelect(
  db: Db,
  source: SQL,
  opts: { now: Date; maxAttempts?: number },
  traceparent: string | null,
): Promise<{ created: number; existing: number }> {
  const [r] = await rows(
    db,
    // NOT MATERIALIZED: the count of source rows is a second, cheap pass (only the rows, not their
    // payloads) instead of a copy of every source row spilled to a temporary file.
    sql`
    with src as not materialized (${source}),
    ins as (
      insert into jobs (id, queue, type, payload, priority, run_at, max_attempts, dedup_key, user_id,
                        entity_type, entity_id, limit_key, owner_key, created_at, updated_at, metadata)
      select steady_fanout_job_id(${ts(opts.now)}, s.n), s.queue, s.type, s.payload, s.priority, ${ts(opts.now)},
             coalesce(${opts.maxAttempts ?? null}::int, q.default_max_attempts, ${DEFAULT_MAX_ATTEMPTS}),
             s.dedup_key, s.user_id, s.entity_type, s.entity_id, s.limit_key, s.owner_key, ${ts(opts.now)}, ${ts(opts.now)},
             coalesce(${traceparent === null ? null : JSON.stringify({ traceparent })}::jsonb, '{}'::jsonb)
      from (select src.*, row_number() over (order by src.dedup_key) as n from src) s
      left join queues q on q.name = s.queue
      on conflict (dedup_key) where dedup_key is not null and status in ('pending', 'processing', 'paused')
      do nothing
      returning 1)
    select (select count(*) from ins)::int as created, (select count(*) from src)::int as total,
           ${notifyWhen(sql`select 1 from ins`, [])} as woke`,
  );
  const created = Number(r.created);
  return { created, existing: Number(r.total) - created };
}
