import type { Platform } from '../platforms';

/** What one platform reported for one user and one UTC day. */
export interface DayActivity {
  count: number;
  /** Small, platform-specific breakdown stored with the activity (event types, titles…). */
  details: Record<string, unknown>;
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
