import { describe, expect, it } from 'vitest';
import { PermanentJobError, RateLimitedError } from '@/lib/queue';
import {
  classifyFailure,
  ProviderError,
  providerMessage,
  rateLimitExhausted,
  retryAfterSeconds,
} from '@/lib/sync/providers/classify';
import { endpoint, nextLink, sameOrigin } from '@/lib/sync/providers/fetch-json';
import { youtubeQuotaError } from '@/lib/sync/providers/youtube';
import { instagramGraphError } from '@/lib/sync/providers/instagram';

const now = new Date('2026-04-01T12:00:00Z');
const h = (init: Record<string, string>) => new Headers(init);
const fail = (status: number, headers: Record<string, string> = {}, body: unknown = null) =>
  classifyFailure({
    platform: 'github',
    status,
    headers: h(headers),
    body,
    what: 'user "octocat"',
    tokenEnv: 'GITHUB_TOKEN',
    now,
  });

describe('retryAfterSeconds', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds(h({ 'retry-after': '120' }), now)).toBe(120);
    expect(retryAfterSeconds(h({ 'retry-after': 'Wed, 01 Apr 2026 12:05:00 GMT' }), now)).toBe(300);
  });
  it('falls back to the reset header (epoch seconds), never below 1 s or above a day', () => {
    expect(retryAfterSeconds(h({ 'x-ratelimit-reset': String(now.getTime() / 1000 + 90) }), now)).toBe(90);
    expect(retryAfterSeconds(h({ 'x-rate-limit-reset': String(now.getTime() / 1000 - 50) }), now)).toBe(1);
    expect(retryAfterSeconds(h({ 'retry-after': '999999' }), now)).toBe(86_400);
    expect(retryAfterSeconds(h({}), now)).toBeNull();
    expect(retryAfterSeconds(h({ 'retry-after': 'soon' }), now)).toBeNull();
  });
  it('spots an exhausted allowance', () => {
    expect(rateLimitExhausted(h({ 'x-ratelimit-remaining': '0' }))).toBe(true);
    expect(rateLimitExhausted(h({ 'x-rate-limit-remaining': '3' }))).toBe(false);
  });
});

describe('classifyFailure', () => {
  it('429 → rate limited for Retry-After seconds (60 s when absent)', () => {
    const e = fail(429, { 'retry-after': '42' });
    expect(e).toBeInstanceOf(RateLimitedError);
    expect((e as RateLimitedError).retryAfterSec).toBe(42);
    expect((e as RateLimitedError).provider).toBe('github');
    expect((fail(429) as RateLimitedError).retryAfterSec).toBe(60);
  });
  it('403 with an exhausted rate-limit header → rate limited until the reset', () => {
    const e = fail(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now.getTime() / 1000 + 600) });
    expect(e).toBeInstanceOf(RateLimitedError);
    expect((e as RateLimitedError).retryAfterSec).toBe(600);
  });
  it('401/403/404 → permanent, in words a person understands', () => {
    expect(fail(401)).toBeInstanceOf(PermanentJobError);
    expect(fail(401).message).toBe('GitHub rejected the credentials (401 Unauthorized): check GITHUB_TOKEN');
    expect(fail(403, { 'x-ratelimit-remaining': '12' }).message).toMatch(
      /^GitHub refused access to user "octocat" \(403 Forbidden\)/,
    );
    const notFound = fail(404, {}, { message: 'Not Found' });
    expect(notFound).toBeInstanceOf(PermanentJobError);
    expect(notFound.message).toBe(
      'GitHub has no user "octocat" (404 Not Found): check the handle on this connection (GitHub said: Not Found)',
    );
  });
  it('5xx and 408 → retryable, other 4xx → permanent', () => {
    for (const s of [500, 502, 503, 504, 408]) {
      const e = fail(s);
      expect(e).toBeInstanceOf(ProviderError);
      expect(e).not.toBeInstanceOf(PermanentJobError);
      expect(e.message).toContain('will retry');
    }
    expect(fail(422)).toBeInstanceOf(PermanentJobError);
  });
  it('finds the provider message in each API dialect', () => {
    expect(providerMessage({ error: { message: 'quota' } })).toBe('quota');
    expect(providerMessage({ title: 'Not Found Error', detail: 'Could not find user' })).toBe('Could not find user');
    expect(providerMessage({ errors: [{ message: 'bad' }] })).toBe('bad');
    expect(providerMessage('nope')).toBeNull();
  });
});

describe('platform quirks', () => {
  it('YouTube quota in a 403 body waits for the daily reset; rate limits wait a minute', () => {
    const quota = youtubeQuotaError(403, { error: { errors: [{ reason: 'quotaExceeded' }] } }, now);
    expect(quota).toBeInstanceOf(RateLimitedError);
    expect((quota as RateLimitedError).retryAfterSec).toBe(19 * 3600); // 12:00 → 07:00 UTC next day (PDT)
    expect(
      (youtubeQuotaError(403, { error: { errors: [{ reason: 'rateLimitExceeded' }] } }) as RateLimitedError)
        .retryAfterSec,
    ).toBe(60);
    expect(youtubeQuotaError(403, { error: { errors: [{ reason: 'forbidden' }] } })).toBeNull();
  });
  it('YouTube quota resets at Pacific midnight, standard or daylight time, across both switches', () => {
    const wait = (at: string) =>
      (
        youtubeQuotaError(
          403,
          { error: { errors: [{ reason: 'dailyLimitExceeded' }] } },
          new Date(at),
        ) as RateLimitedError
      ).retryAfterSec;
    expect(wait('2026-01-15T12:00:00Z')).toBe(20 * 3600); // → 08:00 UTC (PST)
    // 2026-03-08: 02:00 PST becomes 03:00 PDT (10:00 UTC); that day's midnight was still PST
    expect(wait('2026-03-08T07:30:00Z')).toBe(1800); // 23:30 PST → 08:00 UTC
    expect(wait('2026-03-08T09:00:00Z')).toBe(22 * 3600); // 01:00 PST → 07:00 UTC next day (PDT)
    expect(wait('2026-03-08T11:00:00Z')).toBe(20 * 3600); // 04:00 PDT → 07:00 UTC next day
    // 2026-11-01: 02:00 PDT becomes 01:00 PST (09:00 UTC); that day's midnight was still PDT
    expect(wait('2026-11-01T06:30:00Z')).toBe(1800); // 23:30 PDT → 07:00 UTC
    expect(wait('2026-11-01T08:00:00Z')).toBe(24 * 3600); // 01:00 PDT → 08:00 UTC next day (PST)
    expect(wait('2026-11-01T10:00:00Z')).toBe(22 * 3600); // 02:00 PST → 08:00 UTC next day
  });
  it('Instagram error codes: throttling, expired token, unknown user', () => {
    expect(
      instagramGraphError(400, { error: { code: 4, message: 'Application request limit reached' } }),
    ).toBeInstanceOf(RateLimitedError);
    expect(instagramGraphError(400, { error: { code: 190 } })?.message).toMatch(/check INSTAGRAM_ACCESS_TOKEN/);
    expect(instagramGraphError(400, { error: { code: 100 } })).toBeInstanceOf(PermanentJobError);
    expect(instagramGraphError(500, { message: 'x' })).toBeNull();
  });
});

describe('pagination helpers', () => {
  it('reads rel="next" from a Link header', () => {
    const link =
      '<https://api.github.com/user/1/events?page=2>; rel="next", <https://api.github.com/user/1/events?page=5>; rel="last"';
    expect(nextLink(link)).toBe('https://api.github.com/user/1/events?page=2');
    expect(nextLink('<https://x/?page=1>; rel="prev"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });
  it('follows links only on the configured origin', () => {
    expect(sameOrigin('https://graph.instagram.com/1/media?after=x', 'https://graph.instagram.com')?.href).toBe(
      'https://graph.instagram.com/1/media?after=x',
    );
    expect(sameOrigin('https://evil.example/steal', 'https://graph.instagram.com')).toBeNull();
  });
  it('joins base paths and query', () => {
    expect(endpoint('http://127.0.0.1:1/youtube/v3/', '/activities', { a: '1', b: undefined }).href).toBe(
      'http://127.0.0.1:1/youtube/v3/activities?a=1',
    );
  });
});
