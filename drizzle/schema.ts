import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const jobStatus = pgEnum('job_status', ['pending', 'processing', 'completed', 'failed', 'cancelled', 'paused']);

/** Attempts for a job when neither it, its type nor its queue says: the columns' default, and the engine's. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The statuses whose rows the browsing indexes hold. The engine's BROWSED (lib/queue/browser.ts, which
 * imports nothing, so browser code can take it) must name the same set: tests/unit/schema-constants.test.ts.
 */
export const BROWSED_STATUSES = ['completed', 'failed', 'cancelled', 'paused'] as const satisfies readonly JobStatus[];

const BROWSED = sql.raw(`(${BROWSED_STATUSES.map((st) => `'${st}'`).join(', ')})`);

export const jobs = pgTable(
  'jobs',
  {
    // UUIDv7 (migration 0003): time-ordered, so new rows share primary-key leaves.
    id: uuid('id')
      .primaryKey()
      .default(sql`steady_new_job_id()`),
    queue: text('queue').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull().default({}),
    result: jsonb('result'),
    status: jobStatus('status').notNull().default('pending'),
    stage: text('stage'),
    progress: text('progress'),
    priority: integer('priority').notNull().default(10),
    runAt: tz('run_at').notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(DEFAULT_MAX_ATTEMPTS),
    deferrals: integer('deferrals').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: tz('locked_until'),
    lastError: text('last_error'),
    failedProviders: text('failed_providers')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    dedupKey: text('dedup_key'),
    correlationId: text('correlation_id'),
    userId: uuid('user_id'),
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    metadata: jsonb('metadata').notNull().default({}),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    startedAt: tz('started_at'),
    completedAt: tz('completed_at'),
    durationMs: integer('duration_ms'),
    // What the job spends, as its type names it (the sync tasks: the platform): the limits on this key
    // (lib/queue/limits.ts) decide when it may start.
    limitKey: text('limit_key'),
    // Whose work it is (a user, a tenant): within a queue owners take turns (migration 0016), and
    // turn_at is the job's place in that order, given when it is inserted.
    ownerKey: text('owner_key'),
    turnAt: tz('turn_at'),
  },
  (t) => [
    // Two kinds of index. The engine's own (claim, lease, dedup) hold live rows and stay small. The
    // browsing ones hold only settled rows (BROWSED), so enqueueing and claiming never write them: a
    // job adds one entry to each when it settles instead of one per status it passes through. Live
    // rows are browsed through the engine's indexes and the primary key (see listJobs).
    // The claim walks this index in order and stops after LIMIT rows; only runnable rows live in it,
    // so it stays small however many finished rows the table holds.
    // Jobs with a limit key are walked per key instead (jobs_claim_key_idx), so a key at its limit is
    // passed over without reading its backlog.
    index('jobs_claim_idx')
      .on(t.priority, sql`(coalesce(turn_at, run_at))`, t.id)
      .where(sql`status = 'pending' and limit_key is null`),
    index('jobs_claim_key_idx')
      .on(t.limitKey, t.priority, sql`(coalesce(turn_at, run_at))`, t.id)
      .where(sql`status = 'pending' and limit_key is not null`),
    index('jobs_owner_turn_idx')
      .on(t.queue, t.ownerKey, t.turnAt)
      .where(sql`status = 'pending' and owner_key is not null`),
    index('jobs_turn_idx')
      .on(t.queue, t.turnAt)
      .where(sql`status = 'pending' and turn_at is not null`),
    index('jobs_lease_idx')
      .on(t.lockedUntil)
      .where(sql`status = 'processing'`),
    // What runs now, per queue and key: the claim counts it against concurrency limits.
    index('jobs_running_idx')
      .on(t.limitKey, t.queue)
      .where(sql`status = 'processing'`),
    // text_pattern_ops: the same equality for ON CONFLICT, and LIKE 'prefix%' under any collation.
    uniqueIndex('jobs_dedup_key_idx')
      .on(t.dedupKey.op('text_pattern_ops'))
      .where(sql`dedup_key is not null and status in ('pending', 'processing', 'paused')`),
    index('jobs_browse_queue_idx')
      .on(t.queue, t.status, t.id)
      .where(sql`status in ${BROWSED}`),
    index('jobs_browse_dedup_idx')
      .on(t.dedupKey.op('text_pattern_ops'))
      .where(sql`dedup_key is not null and status in ${BROWSED}`),
    index('jobs_browse_user_idx')
      .on(t.userId, t.id)
      .where(sql`user_id is not null and status in ${BROWSED}`),
    // Newest completions per type: the dashboard's p95 reads at most 500 entries of it per type.
    index('jobs_completed_idx')
      .on(t.type, t.completedAt)
      .where(sql`status = 'completed'`),
    index('jobs_correlation_idx')
      .on(t.correlationId)
      .where(sql`correlation_id is not null`),
    index('jobs_entity_idx')
      .on(t.entityType, t.entityId)
      .where(sql`entity_id is not null`),
    check('jobs_attempts_check', sql`attempts >= 0 and max_attempts >= 1 and deferrals >= 0`),
    check('jobs_owner_key_check', sql`owner_key is null or length(owner_key) between 1 and 200`),
    check('jobs_priority_check', sql`priority between -1000 and 1000`),
    check('jobs_lease_check', sql`status <> 'processing' or (locked_until is not null and locked_by is not null)`),
    check('jobs_finished_check', sql`status not in ('completed', 'failed', 'cancelled') or completed_at is not null`),
    check('jobs_names_check', sql`length(queue) between 1 and 100 and length(type) between 1 and 100`),
    check(
      'jobs_limit_key_check',
      sql`limit_key is null or (length(limit_key) between 1 and 200 and limit_key not like 'queue:%')`,
    ),
  ],
);

export const jobEvents = pgTable(
  'job_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    // No foreign key: RI checks run per row and would cost the batched hot path; cleanup and delete
    // remove a job's events in the same statement that removes the job.
    jobId: uuid('job_id').notNull(),
    at: tz('at').notNull().defaultNow(),
    fromStatus: jobStatus('from_status'),
    toStatus: jobStatus('to_status').notNull(),
    stage: text('stage'),
    attempt: integer('attempt').notNull().default(0),
    worker: text('worker'),
    message: text('message'),
  },
  // One index, not two: a job's timeline is read by (job_id, id), and every status change of every
  // job inserts here, so a separate key on id alone was a second index write with no reader.
  (t) => [primaryKey({ columns: [t.jobId, t.id], name: 'job_events_pkey' })],
);

export const queues = pgTable(
  'queues',
  {
    name: text('name').primaryKey(),
    paused: boolean('paused').notNull().default(false),
    defaultMaxAttempts: integer('default_max_attempts').notNull().default(DEFAULT_MAX_ATTEMPTS),
    // { baseMs, maxMs, factor, jitter, priorityStep }: see lib/queue/backoff.ts
    backoff: jsonb('backoff').notNull().default({}),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  () => [check('queues_attempts_check', sql`default_max_attempts >= 1`)],
);

// Flow control, enforced in the claim (steady_claimable, migration 0014). `key` is a job's limit key,
// a prefix ending in ':' (every key below it), or 'queue:<name>' (every job of a queue). Concurrency
// counts running jobs; rate is a token bucket of `rate` starts per `period_ms` holding up to `burst`;
// a cool-down stops every start until its time. 0 concurrency or 0 rate pauses the key.
export const limits = pgTable(
  'limits',
  {
    key: text('key').primaryKey(),
    concurrency: integer('concurrency'),
    rate: integer('rate'),
    periodMs: integer('period_ms'),
    burst: integer('burst'),
    tokens: doublePrecision('tokens').notNull().default(0),
    refilledAt: tz('refilled_at'),
    cooldownUntil: tz('cooldown_until'),
    cooldownCause: text('cooldown_cause'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
    updatedBy: text('updated_by'),
  },
  () => [
    check('limits_key_check', sql`length(key) between 1 and 200`),
    check('limits_concurrency_check', sql`concurrency is null or concurrency between 0 and 100000`),
    check(
      'limits_rate_check',
      sql`(rate is null) = (period_ms is null) and (rate is null or (rate between 0 and 1000000 and period_ms between 1000 and 86400000))`,
    ),
    check('limits_burst_check', sql`burst is null or (rate is not null and burst between 1 and 1000000)`),
  ],
);

// Who changed a limit, when, and from what to what.
export const limitEvents = pgTable(
  'limit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull(),
    at: tz('at').notNull().defaultNow(),
    actor: text('actor').notNull(),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [index('limit_events_key_idx').on(t.key, t.id)],
);

// Append-only deltas written by statement-level triggers (migration 0001), so dashboard counts never
// scan jobs and concurrent workers never wait on a shared counter row; compactStats() folds them.
// One row per process-queue call at work (a cron tick, a fan-out, a dashboard run): their number is
// held to PROCESS_QUEUE_MAX_PARALLEL across every instance. A call that dies keeps its row only until
// held_until, its function's maximum duration, so a killed call frees its place on its own.
export const drainCalls = pgTable('drain_calls', {
  id: text('id').primaryKey(),
  startedAt: tz('started_at').notNull(),
  heldUntil: tz('held_until').notNull(),
});

export const jobCounts = pgTable('job_counts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  queue: text('queue').notNull(),
  type: text('type').notNull(),
  status: jobStatus('status').notNull(),
  n: bigint('n', { mode: 'number' }).notNull(),
});

export const jobMinuteStats = pgTable(
  'job_minute_stats',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    minute: tz('minute').notNull(),
    queue: text('queue').notNull(),
    type: text('type').notNull(),
    completed: integer('completed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    durationMsSum: bigint('duration_ms_sum', { mode: 'number' }).notNull().default(0),
  },
  (t) => [index('job_minute_stats_minute_idx').on(t.minute)],
);

export const platform = pgEnum('platform', ['github', 'youtube', 'twitter', 'instagram']);

export const users = pgTable(
  'users',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    timeZone: text('time_zone').notNull().default('UTC'),
    githubPrivate: boolean('github_private').notNull().default(false),
    youtubePrivate: boolean('youtube_private').notNull().default(false),
    twitterPrivate: boolean('twitter_private').notNull().default(false),
    instagramPrivate: boolean('instagram_private').notNull().default(false),
    createdAt: tz('created_at').notNull().defaultNow(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('users_username_idx').on(sql`lower(${t.username})`),
    check('users_username_check', sql`username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,38}$'`),
  ],
);

export const platformConnections = pgTable(
  'platform_connections',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    platform: platform('platform').notNull(),
    handle: text('handle').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    lastSyncedAt: tz('last_synced_at'),
    createdAt: tz('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.platform] }),
    index('platform_connections_enabled_idx')
      .on(t.platform)
      .where(sql`enabled`),
    check('platform_connections_handle_check', sql`length(handle) between 1 and 200`),
  ],
);

export const activities = pgTable(
  'activities',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    platform: platform('platform').notNull(),
    count: integer('count').notNull().default(0),
    details: jsonb('details').notNull().default({}),
    syncedAt: tz('synced_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.date, t.platform] }), check('activities_count_check', sql`count >= 0`)],
);

export type JobRow = typeof jobs.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type Platform = (typeof platform.enumValues)[number];
export type JobStatus = (typeof jobStatus.enumValues)[number];
