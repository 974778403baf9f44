import 'server-only';
import { PermanentJobError, RateLimitedError } from '@/lib/queue';
import { PLATFORM_LABELS, type Platform } from '../platforms';

/** A failure that retrying may fix (5xx, timeouts, connection errors, garbled responses). */
export class ProviderError extends Error {
  constructor(
    readonly platform: Platform,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderError';
  }
}

export const DEFAULT_RATE_LIMIT_SEC = 60;
const MAX_RATE_LIMIT_SEC = 86_400;

/**
 * Seconds until the provider allows another call: Retry-After (seconds or an HTTP date), else the
 * reset header (epoch seconds: GitHub's x-ratelimit-reset, X's x-rate-limit-reset). Null when neither.
 */
export function retryAfterSeconds(headers: Headers, now: Date): number | null {
  const clamp = (s: number) => Math.min(MAX_RATE_LIMIT_SEC, Math.max(1, Math.ceil(s)));
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return clamp(Number(retryAfter));
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return clamp((at - now.getTime()) / 1000);
  }
  const reset = headers.get('x-ratelimit-reset') ?? headers.get('x-rate-limit-reset');
  if (reset && /^\d+$/.test(reset.trim())) return clamp(Number(reset) - now.getTime() / 1000);
  return null;
}

/** True when a rate-limit header says the allowance is used up. */
export function rateLimitExhausted(headers: Headers): boolean {
  const remaining = headers.get('x-ratelimit-remaining') ?? headers.get('x-rate-limit-remaining');
  return remaining !== null && remaining.trim() === '0';
}

/** The provider's own explanation, whichever of the usual shapes it uses. */
export function providerMessage(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const nested = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>).message : undefined);
  const errors = Array.isArray(b.errors) ? b.errors[0] : undefined;
  const candidates = [
    b.message,
    nested(b.error),
    b.detail,
    nested(errors),
    (errors as { detail?: unknown })?.detail,
    b.title,
  ];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  return found ? found.trim().slice(0, 200) : null;
}

export interface FailedResponse {
  platform: Platform;
  status: number;
  headers: Headers;
  body: unknown;
  /** What was asked for, as a person would say it: `GitHub user "octocat"`. */
  what: string;
  /** The env var holding this platform's credentials, named in auth failures. */
  tokenEnv: string;
  now: Date;
}

/**
 * Turns a non-2xx answer into the error the queue acts on: RateLimitedError → deferred without
 * spending an attempt; PermanentJobError → failed now; ProviderError → retried with backoff.
 */
export function classifyFailure(r: FailedResponse): Error {
  const label = PLATFORM_LABELS[r.platform];
  const said = providerMessage(r.body);
  const suffix = said ? ` (${label} said: ${said})` : '';
  const wait = retryAfterSeconds(r.headers, r.now);
  // GitHub signals a spent allowance with 403 plus `x-ratelimit-remaining: 0` (or Retry-After), not 429.
  if (r.status === 429 || (r.status === 403 && (rateLimitExhausted(r.headers) || wait !== null))) {
    return new RateLimitedError(r.platform, wait ?? DEFAULT_RATE_LIMIT_SEC);
  }
  switch (r.status) {
    case 401:
      return new PermanentJobError(
        `${label} rejected the credentials (401 Unauthorized): check ${r.tokenEnv}${suffix}`,
      );
    case 403:
      return new PermanentJobError(
        `${label} refused access to ${r.what} (403 Forbidden): the account may be private or suspended, or ${r.tokenEnv} lacks permission${suffix}`,
      );
    case 404:
    case 410:
      return new PermanentJobError(
        `${label} has no ${r.what} (${r.status} Not Found): check the handle on this connection${suffix}`,
      );
  }
  if (r.status >= 500 || r.status === 408) {
    return new ProviderError(r.platform, `${label} answered ${r.status} for ${r.what}; will retry${suffix}`, r.status);
  }
  return new PermanentJobError(`${label} rejected the request for ${r.what} (${r.status})${suffix}`);
}
