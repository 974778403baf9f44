import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { rows, textArray, ts } from './sql';
import { toJob } from './rows';
import type { JobTypes } from './registry';
import {
  MAX_PAYLOAD_BYTES,
  PRIORITY,
  PRIORITY_MAX,
  PRIORITY_MIN,
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
}

export interface EnqueueResult {
  job: Job;
  created: boolean;
}

interface Prepared {
  id: string;
  queue: string;
  type: string;
  payload: unknown;
  priority: number;
  run_at: string;
  max_attempts: number | null;
  dedup_key: string | null;
  correlation_id: string | null;
  user_id: string | null;
  entity_type: string | null;
  entity_id: string | null;
  metadata: Record<string, unknown>;
  stage: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

function prepare(types: JobTypes, input: EnqueueInput, now: Date): Prepared {
  const def = types[input.type];
  if (!def) throw new QueueError('unknown_type', `Unknown job type "${input.type}"`, { type: input.type });
  const parsed = def.payloadSchema.safeParse(input.payload ?? {});
  if (!parsed.success) {
    throw new QueueError('invalid_input', `Invalid payload for ${input.type}`, parsed.error.issues);
  }
  const bytes = Buffer.byteLength(JSON.stringify(parsed.data ?? null));
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new QueueError('payload_too_large', `Payload is ${bytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
  if (input.userId !== undefined && !UUID.test(input.userId)) {
    throw new QueueError('invalid_input', 'userId must be a UUID');
  }
  const maxAttempts = input.maxAttempts ?? def.maxAttempts ?? null;
  if (maxAttempts !== null && (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)) {
    throw new QueueError('invalid_input', 'maxAttempts must be an integer from 1 to 100');
  }
  const runAt = input.runAt ?? new Date(now.getTime() + Math.max(0, input.delayMs ?? 0));
  if (Number.isNaN(runAt.getTime())) throw new QueueError('invalid_input', 'runAt is not a valid date');
  return {
    id: randomUUID(),
    queue: input.queue ?? def.queue,
    type: input.type,
    payload: parsed.data ?? {},
    priority: resolvePriority(input.priority),
    run_at: runAt.toISOString(),
    max_attempts: maxAttempts,
    dedup_key: input.dedupKey ?? null,
    correlation_id: input.correlationId ?? null,
    user_id: input.userId ?? null,
    entity_type: input.entity?.type ?? null,
    entity_id: input.entity?.id ?? null,
    metadata: input.metadata ?? {},
    stage: input.stage ?? null,
  };
}

// One statement for any number of jobs. DO NOTHING on the partial unique index makes a concurrent
// enqueue of the same key wait for the first and then step aside instead of failing.
async function insertPrepared(db: Db, items: Prepared[], now: Date): Promise<Job[]> {
  const found = await rows(
    db,
    sql`
    insert into jobs (id, queue, type, payload, priority, run_at, max_attempts, dedup_key, correlation_id,
                      user_id, entity_type, entity_id, metadata, stage, created_at, updated_at)
    select x.id, x.queue, x.type, x.payload, x.priority, x.run_at,
           coalesce(x.max_attempts, q.default_max_attempts, 3), x.dedup_key, x.correlation_id,
           x.user_id, x.entity_type, x.entity_id, x.metadata, x.stage, ${ts(now)}, ${ts(now)}
    from jsonb_to_recordset(${JSON.stringify(items.map((item, ord) => ({ ...item, ord })))}::jsonb) as x(
           ord int, id uuid, queue text, type text, payload jsonb, priority int, run_at timestamptz, max_attempts int,
           dedup_key text, correlation_id text, user_id uuid, entity_type text, entity_id text,
           metadata jsonb, stage text)
    left join queues q on q.name = x.queue
    -- input order decides which of two same-key rows in one call wins
    order by x.ord
    on conflict (dedup_key) where dedup_key is not null and status in ('pending', 'processing', 'paused')
    do nothing
    returning *`,
  );
  return found.map(toJob);
}

async function findUnfinishedByKeys(db: Db, keys: string[]): Promise<Job[]> {
  const found = await rows(
    db,
    sql`select * from jobs where dedup_key = any(${textArray(keys)})
        and status in ('pending', 'processing', 'paused')`,
  );
  return found.map(toJob);
}

export async function enqueueJobs(
  db: Db,
  types: JobTypes,
  inputs: EnqueueInput[],
  opts: { now?: Date } = {},
): Promise<EnqueueResult[]> {
  const now = opts.now ?? new Date();
  const prepared = inputs.map((i) => prepare(types, i, now));
  const results = new Map<string, EnqueueResult>();
  let pending = prepared;
  // A key's holder may finish between our insert and our read; then the key is free and we insert again.
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    const created = await insertPrepared(db, pending, now);
    for (const job of created) results.set(job.id, { job, created: true });
    const skipped = pending.filter((p) => !results.has(p.id));
    pending = [];
    if (skipped.length === 0) break;
    const keys = [...new Set(skipped.map((p) => p.dedup_key).filter((k): k is string => k !== null))];
    const existing = new Map((await findUnfinishedByKeys(db, keys)).map((j) => [j.dedupKey!, j]));
    const createdByKey = new Map(created.filter((j) => j.dedupKey).map((j) => [j.dedupKey!, j]));
    for (const p of skipped) {
      const holder = createdByKey.get(p.dedup_key!) ?? existing.get(p.dedup_key!);
      if (holder) results.set(p.id, { job: holder, created: false });
      else pending.push(p);
    }
  }
  if (pending.length > 0) {
    throw new QueueError('conflict', 'Could not enqueue: the dedup key kept changing hands', {
      keys: pending.map((p) => p.dedup_key),
    });
  }
  return prepared.map((p) => results.get(p.id)!);
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
 * queue, type, payload, priority, dedup_key, user_id, entity_type, entity_id. The caller owns the
 * payload's shape, since rows never pass through JavaScript.
 */
export async function enqueueFromSelect(
  db: Db,
  source: SQL,
  opts: { now: Date; maxAttempts?: number },
): Promise<{ created: number; existing: number }> {
  const [r] = await rows(
    db,
    sql`
    with src as (${source}),
    ins as (
      insert into jobs (queue, type, payload, priority, run_at, max_attempts, dedup_key, user_id,
                        entity_type, entity_id, created_at, updated_at)
      select s.queue, s.type, s.payload, s.priority, ${ts(opts.now)},
             coalesce(${opts.maxAttempts ?? null}::int, q.default_max_attempts, 3),
             s.dedup_key, s.user_id, s.entity_type, s.entity_id, ${ts(opts.now)}, ${ts(opts.now)}
      from src s left join queues q on q.name = s.queue
      on conflict (dedup_key) where dedup_key is not null and status in ('pending', 'processing', 'paused')
      do nothing
      returning 1)
    select (select count(*) from ins)::int as created, (select count(*) from src)::int as total`,
  );
  const created = Number(r.created);
  return { created, existing: Number(r.total) - created };
}
