import 'server-only';
import {
  claimJobById,
  createExecutor,
  deferJob,
  deleteJob,
  enqueueJob,
  getJob,
  handledTypeNames,
  hasProcessingJobs,
  listRetryCandidates,
  newWorkerId,
  rescheduleWaitingJob,
  retryJob,
  retryJobs,
  updateWaitingJob,
  PRIORITY,
  PRIORITY_MAX,
  PRIORITY_MIN,
  QueueError,
  type Db,
  type Job,
  type JobTypes,
} from '@/lib/queue';
import { toQueueStatus, type QueueStatus, type QueueTaskShape } from './client/types';

// ---- The queue package's vocabulary (queue-package.md), mapped onto the engine in this one place ----

export type { QueueStatus } from './client/types';

export interface QueueTask<TData = unknown, TResult = unknown> extends QueueTaskShape<TData, TResult, Date> {
  errorPatterns?: Record<string, unknown> | null;
}

export const toTaskStatus = (job: Pick<Job, 'status' | 'attempts' | 'maxAttempts'>): QueueStatus => toQueueStatus(job);

/** The package's priority: higher runs first, 0 is normal. The engine's number: lower runs first. */
export const toEnginePriority = (p: number) =>
  Math.min(PRIORITY_MAX, Math.max(PRIORITY_MIN, PRIORITY.normal - Math.round(p)));
export const toTaskPriority = (n: number) => PRIORITY.normal - n;

export function toTask<TData = unknown, TResult = unknown>(job: Job): QueueTask<TData, TResult> {
  return {
    id: job.id,
    type: job.type,
    data: job.payload as TData,
    result: (job.result ?? undefined) as TResult | undefined,
    status: toTaskStatus(job),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    failedProviders: job.failedProviders,
    errorMessage: job.status === 'cancelled' ? (job.lastError ?? 'Cancelled') : job.lastError,
    errorPatterns: job.lastError
      ? { lastError: job.lastError, deferrals: job.deferrals, progress: job.progress }
      : null,
    priority: toTaskPriority(job.priority),
    scheduledFor: job.status === 'pending' ? job.runAt : null,
    processedAt: job.completedAt ?? job.startedAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    referenceId: job.entityId,
    referenceType: job.entityType,
  };
}

export interface AddOptions {
  priority?: number;
  scheduledFor?: Date;
  maxAttempts?: number;
  reference?: { id: string; type: string };
}

export interface RetryReport {
  success: boolean;
  message: string;
  processed: number;
  successful?: number;
  failed?: number;
  results?: { id: string; type: string; status: QueueStatus | 'SKIPPED' }[];
}

export interface QueueServiceOptions {
  workerId?: string;
  leaseMs?: number;
  clock?: () => Date;
}

/** Any string (or key) holding U+0000, which jsonb cannot store. */
function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  if (depth > 64 || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => hasNul(x, depth + 1));
  return Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x, depth + 1));
}

/**
 * One set of rules for addToQueue and updateInQueue, checked before anything reaches SQL, so a bad
 * value is a QueueError naming the field and nothing is written.
 */
function checkTaskFields(f: {
  data?: unknown;
  priority?: unknown;
  maxAttempts?: unknown;
  scheduledFor?: unknown;
}): void {
  const bad = (msg: string) => new QueueError('invalid_input', msg);
  if (f.data !== undefined && hasNul(f.data)) throw bad('data must not contain the NUL character (U+0000)');
  if (f.priority !== undefined && !(Number.isInteger(f.priority) && Math.abs(f.priority as number) <= 1000)) {
    throw bad('priority must be an integer from -1000 to 1000');
  }
  if (
    f.maxAttempts !== undefined &&
    !(Number.isInteger(f.maxAttempts) && (f.maxAttempts as number) >= 1 && (f.maxAttempts as number) <= 100)
  ) {
    throw bad('maxAttempts must be an integer from 1 to 100');
  }
  if (f.scheduledFor !== undefined && !(f.scheduledFor instanceof Date && !Number.isNaN(f.scheduledFor.getTime()))) {
    throw bad('scheduledFor must be a valid Date');
  }
}

const PATCHABLE = new Set([
  'data',
  'priority',
  'scheduledFor',
  'maxAttempts',
  'referenceId',
  'referenceType',
  'status',
]);

/**
 * The queue package's QueueService as a thin layer over the engine: every method is one or two engine
 * calls plus the vocabulary above. Handlers come from `jobTypes`, exactly as runBatch uses them.
 */
export class QueueService {
  private readonly workerId: string;
  private readonly leaseMs: number;
  private readonly clock: () => Date;
  // One for the service's life: its policy cache and completion group outlive a single processJob.
  private readonly executor: ReturnType<typeof createExecutor>;

  constructor(
    private readonly db: Db,
    private readonly jobTypes: JobTypes,
    opts: QueueServiceOptions = {},
  ) {
    this.workerId = opts.workerId ?? newWorkerId('queue-service');
    this.leaseMs = Math.max(opts.leaseMs ?? 60_000, 1_000);
    this.clock = opts.clock ?? (() => new Date());
    this.executor = createExecutor(db, jobTypes, { workerId: this.workerId, clock: this.clock });
  }

  async addToQueue<TData>(type: string, data: TData, options: AddOptions = {}): Promise<QueueTask<TData>> {
    checkTaskFields({
      data,
      priority: options.priority,
      maxAttempts: options.maxAttempts,
      scheduledFor: options.scheduledFor,
    });
    const { job } = await enqueueJob(
      this.db,
      this.jobTypes,
      {
        type,
        payload: data,
        priority: toEnginePriority(options.priority ?? 0),
        runAt: options.scheduledFor,
        maxAttempts: options.maxAttempts,
        entity: options.reference,
      },
      { now: this.clock() },
    );
    return toTask<TData>(job);
  }

  /**
   * Claims this task if it is due and runs its handler now. Null when there is nothing to run: no such
   * task, not yet due, finished, paused, or (with skipIfProcessing, the default) already running;
   * `currentAttempt`, when given, must match the attempts the task has made.
   */
  async processJob<TData = unknown, TResult = unknown>(
    taskId: string,
    currentAttempt?: number,
    options: { skipIfProcessing?: boolean } = {},
  ): Promise<QueueTask<TData, TResult> | null> {
    const job = await getJob(this.db, taskId);
    if (!job || (currentAttempt !== undefined && job.attempts !== currentAttempt)) return null;
    if (job.status === 'processing') {
      if (options.skipIfProcessing === false) throw new QueueError('conflict', `Task ${taskId} is already processing`);
      return null;
    }
    const def = this.jobTypes[job.type];
    if (!def?.handle) throw new QueueError('unknown_type', `No handler for task type ${job.type} in this service`);
    const claimed = await claimJobById(this.db, {
      id: taskId,
      workerId: this.workerId,
      leaseMs: this.leaseMs,
      now: this.clock(),
    });
    if (!claimed) return null;
    // The same per-job path as runBatch: payload check, timeout inside the lease, guarded outcome.
    // `outcome` settles once the completion (or failure) is written.
    await this.executor.execute(claimed, this.leaseMs - 1_000).outcome;
    return this.readFromQueue<TData, TResult>(taskId);
  }

  async readFromQueue<TData = unknown, TResult = unknown>(taskId: string): Promise<QueueTask<TData, TResult> | null> {
    const job = await getJob(this.db, taskId);
    return job ? toTask<TData, TResult>(job) : null;
  }

  /**
   * Changes a waiting task's data, priority, schedule, attempt budget or reference; `status: 'PENDING'`
   * restarts a FAILED or MAX_RETRIES_REACHED one. A running or finished task's fields stay as they ran.
   */
  async updateInQueue<TData = unknown, TResult = unknown>(
    taskId: string,
    patch: Partial<QueueTask<TData, TResult>>,
  ): Promise<QueueTask<TData, TResult>> {
    const unknown = Object.keys(patch).filter((k) => !PATCHABLE.has(k));
    if (unknown.length) throw new QueueError('invalid_input', `These fields cannot be updated: ${unknown.join(', ')}`);
    checkTaskFields(patch);
    for (const k of ['referenceId', 'referenceType'] as const) {
      const v = patch[k];
      if (v !== undefined && v !== null && (typeof v !== 'string' || v.length > 200 || /\p{Cc}/u.test(v))) {
        throw new QueueError(
          'invalid_input',
          `${k} must be a string of at most 200 characters without control characters`,
        );
      }
    }
    const now = this.clock();
    if (patch.status !== undefined) {
      if (patch.status !== 'PENDING')
        throw new QueueError('invalid_transition', `A task cannot be set to ${patch.status}; it gets there by running`);
      await retryJob(this.db, { id: taskId, now, actor: this.workerId });
    }
    const current = await getJob(this.db, taskId);
    if (!current) throw new QueueError('not_found', `Task ${taskId} not found`);
    let payload: unknown = undefined;
    if (patch.data !== undefined) {
      const parsed = this.jobTypes[current.type]?.payloadSchema.safeParse(patch.data);
      if (!parsed?.success)
        throw new QueueError('invalid_input', `Invalid data for ${current.type}`, parsed?.error.issues);
      payload = parsed.data;
    }
    const change = {
      payload,
      priority: patch.priority === undefined ? undefined : toEnginePriority(patch.priority),
      runAt: patch.scheduledFor ?? undefined,
      maxAttempts: patch.maxAttempts,
      entityId: patch.referenceId,
      entityType: patch.referenceType,
    };
    if (Object.values(change).every((f) => f === undefined)) return toTask<TData, TResult>(current);
    const job = await updateWaitingJob(this.db, { id: taskId, change, now, actor: this.workerId });
    if (!job)
      throw new QueueError(
        'invalid_transition',
        `Task ${taskId} is ${toTaskStatus(current)}; only a waiting task can be changed`,
      );
    return toTask<TData, TResult>(job);
  }

  /** A running task cannot be deleted (its worker would complete a row that is gone): cancel it first. */
  async deleteFromQueue(taskId: string): Promise<void> {
    await deleteJob(this.db, taskId);
  }

  /**
   * Reschedules a task for when `provider` allows, recording the provider. A running task gives its
   * attempt back (the engine's deferral); a waiting one only moves later, never earlier.
   */
  async handleRateLimitError(taskId: string, provider: string, retryAfter = 60): Promise<void> {
    if (typeof provider !== 'string' || provider.length < 1 || provider.length > 100 || /\p{Cc}/u.test(provider)) {
      throw new QueueError('invalid_input', 'provider must be 1–100 characters without control characters');
    }
    if (typeof retryAfter !== 'number' || !Number.isFinite(retryAfter) || retryAfter < 0) {
      throw new QueueError('invalid_input', 'retryAfter must be a number of seconds, 0 or more');
    }
    const job = await getJob(this.db, taskId);
    if (!job) throw new QueueError('not_found', `Task ${taskId} not found`);
    const now = this.clock();
    if (job.status === 'processing') {
      await deferJob(this.db, {
        id: taskId,
        workerId: job.lockedBy!,
        attempt: job.attempts,
        provider,
        retryAfterSec: retryAfter,
        now,
      });
      return;
    }
    const until = new Date(now.getTime() + Math.min(Math.max(0, retryAfter), 86_400) * 1000);
    const moved = await rescheduleWaitingJob(this.db, {
      id: taskId,
      provider,
      until,
      reason: `Rate limited by ${provider}; retry after ${Math.round(retryAfter)}s`,
      now,
      actor: this.workerId,
    });
    if (!moved)
      throw new QueueError(
        'invalid_transition',
        `Task ${taskId} is ${toTaskStatus(job)}; there is nothing to reschedule`,
      );
  }

  /**
   * Runs now every task this service has a handler for that is FAILED: waiting for a due retry, or
   * failed with attempts left (restarted first, with a fresh attempt budget). At most `limit` per call.
   */
  async retryFailedQueueTasks(opts: { limit?: number } = {}): Promise<RetryReport> {
    const handled = handledTypeNames(this.jobTypes);
    if (handled.length === 0) return { success: true, message: 'No task types to retry', processed: 0 };
    const queues = [...new Set(handled.map((name) => this.jobTypes[name].queue))];
    const now = this.clock();
    const candidates = await listRetryCandidates(this.db, {
      queues,
      types: handled,
      now,
      limit: Math.min(Math.max(opts.limit ?? 50, 1), 500),
    });
    const failedIds = candidates.filter((c) => c.status === 'failed').map((c) => c.id);
    if (failedIds.length) await retryJobs(this.db, { ids: failedIds }, { now, actor: this.workerId });
    const results: NonNullable<RetryReport['results']> = [];
    for (const c of candidates) {
      const task = await this.processJob(c.id);
      results.push({ id: c.id, type: c.type, status: task ? task.status : 'SKIPPED' });
    }
    const successful = results.filter((r) => r.status === 'COMPLETED').length;
    return {
      success: true,
      message: `Retried ${results.length} task(s): ${successful} completed, ${results.length - successful} not`,
      processed: results.length,
      successful,
      failed: results.length - successful,
      results,
    };
  }

  async hasProcessingTasks(type: string): Promise<boolean> {
    return hasProcessingJobs(this.db, type);
  }
}
