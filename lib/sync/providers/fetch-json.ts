import 'server-only';
import type { z } from 'zod';
import { PLATFORM_LABELS, type Platform } from '../platforms';
import { RateLimitedError } from '@/lib/queue';
import {
  classifyFailure,
  DEFAULT_RATE_LIMIT_SEC,
  ProviderError,
  rateLimitExhausted,
  retryAfterSeconds,
} from './classify';
import type { Allowance, FetchDayOptions } from './types';
import { BodyTooLarge, readCappedBody } from '@/lib/capped-body';
import { endClientSpan, startClientSpan } from '@/lib/observability/http-span';

export interface FetchJsonOptions<T> {
  platform: Platform;
  url: URL;
  schema: z.ZodType<T>;
  what: string;
  tokenEnv: string;
  timeoutMs: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  allowance?: Allowance;
  /**
   * Platform quirks the status alone does not reveal (YouTube's quota in a 403 body, Instagram's
   * error codes in a 400): return the error to throw, or null to fall back to the status.
   */
  inspectFailure?: (status: number, body: unknown, headers: Headers, now: Date) => Error | null;
}

const MAX_BODY_BYTES = 5_000_000;

/** GET, parse and classify one page: resolves only with a 2xx body that matches `schema`. */
export async function fetchJson<T>(opts: FetchJsonOptions<T>): Promise<{ data: T; headers: Headers }> {
  const label = PLATFORM_LABELS[opts.platform];
  const spent = opts.allowance?.spentForSec;
  if (spent !== null && spent !== undefined) throw new RateLimitedError(opts.platform, spent);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  const span = startClientSpan('GET', opts.url, { 'steady.platform': opts.platform });
  try {
    res = await (opts.fetch ?? fetch)(opts.url, {
      headers: { accept: 'application/json', 'user-agent': 'steady-sync', ...opts.headers },
      signal,
      redirect: 'follow',
    });
    // A platform (or something posing as one) sending a huge page must not be held in memory whole.
    text = (await readCappedBody(res, MAX_BODY_BYTES)).toString('utf8');
  } catch (err) {
    endClientSpan(span, { error: err });
    if (err instanceof BodyTooLarge) {
      throw new ProviderError(
        opts.platform,
        `${label} answered with more than ${MAX_BODY_BYTES / 1e6} MB for ${opts.what}`,
        res!.status,
      );
    }
    if (timeout.aborted) {
      throw new ProviderError(
        opts.platform,
        `${label} did not answer within ${opts.timeoutMs} ms for ${opts.what}; will retry`,
        undefined,
        { cause: err },
      );
    }
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new ProviderError(
      opts.platform,
      `Could not reach ${label} at ${opts.url.host}: ${reason}; will retry`,
      undefined,
      { cause: err },
    );
  }
  endClientSpan(span, { status: res.status });
  const body = parseBody(text);
  if (!res.ok) {
    const now = new Date();
    throw (
      opts.inspectFailure?.(res.status, body, res.headers, now) ??
      classifyFailure({
        platform: opts.platform,
        status: res.status,
        headers: res.headers,
        body,
        what: opts.what,
        tokenEnv: opts.tokenEnv,
        now,
      })
    );
  }
  if (opts.allowance && rateLimitExhausted(res.headers)) {
    opts.allowance.spentForSec = retryAfterSeconds(res.headers, new Date()) ?? DEFAULT_RATE_LIMIT_SEC;
  }
  const parsed = opts.schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderError(
      opts.platform,
      `${label} sent an unexpected response for ${opts.what}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim(),
      res.status,
    );
  }
  return { data: parsed.data, headers: res.headers };
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Pagination links are followed only on the configured API's origin, so a token in the URL or the
 * Authorization header never travels to another host.
 */
export function sameOrigin(next: string, base: string): URL | null {
  try {
    const url = new URL(next, base);
    return url.origin === new URL(base).origin ? url : null;
  } catch {
    return null;
  }
}

/** `rel="next"` from an RFC 8288 Link header (GitHub's pagination). */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m && m[2].split(/\s+/).includes('next')) return m[1];
  }
  return null;
}

/** Appends a path to a base URL that may itself carry a path (https://host/youtube/v3). */
export function endpoint(base: string, path: string, query: Record<string, string | undefined> = {}): URL {
  const url = new URL(base.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Whether a day's walk may ask for another page: within `maxPages`, and past the first page, in time. */
export function canFetchAnotherPage(
  pages: number,
  maxPages: number,
  opts: FetchDayOptions,
  timeoutMs: number,
): boolean {
  if (pages >= maxPages) return false;
  return pages === 0 || opts.deadline === undefined || Date.now() + timeoutMs <= opts.deadline;
}
