import type { z } from 'zod';
import type { Db, Job } from './types';

export interface HandlerContext<P> {
  job: Job<P>;
  payload: P;
  db: Db;
  /** Aborted when the job's timeout or the batch's time budget runs out. */
  signal: AbortSignal;
  /** Records a human-readable step on the job (shown in the dashboard). */
  progress(step: string): Promise<void>;
  /**
   * Throws: the job is rescheduled for when `key` allows, without spending its attempt, and the whole
   * key cools down until then: no job with that limit key (or below it) is claimed before.
   */
  rateLimited(key: string, retryAfterSec?: number): never;
  /**
   * Cools `key` down for `retryAfterSec` while this job carries on: for an answer that succeeded but
   * said no request is left (`x-ratelimit-remaining: 0`), so no task spends one on the refusal.
   */
  coolDown(key: string, retryAfterSec: number): Promise<void>;
}

export interface JobType<P = unknown, R = unknown> {
  queue: string;
  payloadSchema: z.ZodType<P>;
  /** Absent for types worked by external processes (the pipeline's HTTP workers). */
  handle?: (ctx: HandlerContext<P>) => Promise<R>;
  maxAttempts?: number;
  timeoutMs?: number;
  /**
   * What a job of this type spends (a provider, an account): its limit key. Limits on the key, or on a
   * prefix of it ending in ':', decide when the job may start; `rateLimited(key)` cools the key down.
   */
  limitKey?: (payload: P) => string | null;
  /**
   * Whose work a job of this type is (a user, a tenant): within a queue, owners take turns at the claim,
   * so one owner's backlog does not hold back another's job.
   */
  ownerKey?: (payload: P) => string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JobTypes = Record<string, JobType<any, any>>;

export const defineJobType = <P, R>(t: JobType<P, R>): JobType<P, R> => t;

/** The types a process can run itself (the others are worked by outside workers). */
export const handledTypeNames = (types: JobTypes): string[] =>
  Object.entries(types)
    .filter(([, t]) => t.handle)
    .map(([name]) => name);

export class RateLimitedError extends Error {
  constructor(
    readonly provider: string,
    readonly retryAfterSec: number,
  ) {
    super(`Rate limited by ${provider}; retry after ${retryAfterSec}s`);
    this.name = 'RateLimitedError';
  }
}

/** Thrown by a handler when retrying cannot help (bad credentials, unknown account). */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export class JobTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}
