import 'server-only';
import type { Platform } from '../platforms';

/** What one platform reported for one user and one UTC day. */
export interface DayActivity {
  count: number;
  /** Small, platform-specific breakdown stored with the activity (event types, titles…). */
  details: Record<string, unknown>;
  /**
   * Not the whole day: cut short by the page limit or the deadline (`details.truncated`), or no longer
   * listed whole (GitHub keeps 90 days and 300 events). The count is a floor, and a higher one stored
   * by an earlier sync is kept.
   */
  partial?: boolean;
}

export interface FetchDayOptions {
  signal?: AbortSignal;
  /**
   * When the caller must have an answer (epoch ms): no further page is asked for once one more
   * request might not finish by then, and the day is stored with `truncated: true` rather than lost.
   */
  deadline?: number;
  /** What the rate-limit headers said of the token's allowance while this day was fetched. */
  allowance?: Allowance;
}

/**
 * Filled in when a successful answer says no request is left (`x-ratelimit-remaining: 0`): the next
 * request of this fetch is not sent (it would be refused), and the caller cools the platform down
 * until the reset instead of letting the next task spend a request on the refusal.
 */
export interface Allowance {
  /** Seconds until the allowance resets, once it is spent; null while requests are left. */
  spentForSec: number | null;
}

export interface PlatformClient {
  platform: Platform;
  /** Throws RateLimitedError, PermanentJobError, or a plain Error for failures worth retrying. */
  fetchDay(handle: string, date: string, opts?: FetchDayOptions): Promise<DayActivity>;
}

export interface ClientConfig {
  baseUrl: string;
  token?: string;
  timeoutMs: number;
  /** Pages followed per day at most; a day that needs more is stored with `truncated: true`. */
  maxPages?: number;
  fetch?: typeof fetch;
}

export type PlatformClients = Record<Platform, PlatformClient>;
