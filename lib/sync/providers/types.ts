import type { Platform } from '../platforms';

/** What one platform reported for one user and one UTC day. */
export interface DayActivity {
  count: number;
  /** Small, platform-specific breakdown stored with the activity (event types, titles…). */
  details: Record<string, unknown>;
  /**
   * The platform no longer lists the whole day (GitHub keeps 90 days and 300 events): the count is a
   * floor, and a higher one stored by an earlier sync is kept.
   */
  partial?: boolean;
}

export interface FetchDayOptions {
  signal?: AbortSignal;
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
