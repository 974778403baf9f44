import { z } from 'zod';

export const FAULT_MODES = ['rate_limit', 'error', 'not_found', 'unauthorized', 'forbidden', 'slow'] as const;

export const FaultSchema = z
  .object({
    /** A module name (github, youtube, twitter, instagram, …); absent → every module. */
    platform: z.string().min(1).optional(),
    /** An account (handle, channel id, user id); absent → every account. Case-insensitive. */
    handle: z.string().min(1).optional(),
    mode: z.enum(FAULT_MODES),
    /** rate_limit: 429 (Retry-After) or 403 (exhausted rate-limit headers only); error: any 4xx/5xx. */
    status: z.number().int().min(400).max(599).optional(),
    retryAfterSec: z.number().int().min(0).max(86_400).default(30),
    delayMs: z.number().int().min(0).max(120_000).default(2_000),
    /** Applies to this many matching requests, then is gone. Absent → until cleared. */
    times: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export type Fault = z.infer<typeof FaultSchema>;
export type FaultInput = z.input<typeof FaultSchema>;

export const ControlSchema = z
  .object({
    /** Replaces the fault list. */
    faults: z.array(FaultSchema).max(100).optional(),
    addFaults: z.array(FaultSchema).max(100).optional(),
    clearFaults: z.boolean().optional(),
    resetStats: z.boolean().optional(),
    /** Pins the fake's clock (ISO time); null → real time again. Items after it are not served yet. */
    now: z.iso.datetime({ offset: true }).nullable().optional(),
    /** Caps every page at this many items, to exercise pagination; null → each API's own sizes. */
    pageSize: z.number().int().min(1).max(100).nullable().optional(),
    /**
     * Quotas like the real APIs': per module, `limit` requests per fixed window of `windowSec`; past it a
     * 429 with Retry-After (until the window ends) and the module's rate-limit headers. null → none.
     */
    quotas: z
      .record(
        z.string().min(1),
        z
          .object({ limit: z.number().int().min(1).max(1_000_000), windowSec: z.number().int().min(1).max(86_400) })
          .strict(),
      )
      .nullable()
      .optional(),
  })
  .strict();
export type ControlInput = z.infer<typeof ControlSchema>;

export interface FakeState {
  now(): Date;
  /** The page size to use: the override when set, else the request's own (bounded by the API's max). */
  pageSize(requested: number): number;
}

export interface FakeRequest {
  method: string;
  url: URL;
  match: RegExpExecArray;
  /** The module's base URL as a client would configure it (for absolute pagination links). */
  base: string;
  state: FakeState;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface FakeRoute {
  method?: 'GET' | 'POST';
  /** Matched against the path below the module's prefix. */
  path: RegExp;
  /** The account the request is about: counted in stats and matched against faults' `handle`. */
  account?: (req: Omit<FakeRequest, 'state' | 'base'>) => string | undefined;
  serve(req: FakeRequest): FakeReply | Promise<FakeReply>;
}

/** One fake API mounted under `prefix`. Another workload can add its own (see registerFakeModule). */
export interface FakeModule {
  name: string;
  prefix: string;
  /** The env var a client reads the base URL from; listed in `baseUrls`. */
  envVar?: string;
  routes: FakeRoute[];
  /** An error body in the API's own shape. */
  errorBody?(status: number, message: string): unknown;
  /** Extra headers on a rate-limited answer (e.g. GitHub's x-ratelimit-remaining: 0). */
  rateLimitHeaders?(retryAfterSec: number, now: Date): Record<string, string>;
  /** Headers on an answer within a quota, saying what is left of it (GitHub's x-ratelimit-*). */
  quotaHeaders?(left: QuotaLeft, now: Date): Record<string, string>;
}

export interface QuotaLeft {
  limit: number;
  remaining: number;
  resetSec: number;
}
