import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentJobError, RateLimitedError } from '@/lib/queue';
import { addDays, todayUtc } from '@/lib/sync/dates';
import { createPlatformClients, ProviderError, type PlatformClients } from '@/lib/sync/providers';
import { fakeDayCount, fakeTwitterId, startFakePlatforms, type FakePlatforms } from '@/scripts/fake-platforms';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort, fakePlatformConfig } from './sync-harness';

let fake: FakePlatforms;
let clients: PlatformClients;
let patient: PlatformClients;
let config: Parameters<typeof createPlatformClients>[0];
const today = todayUtc(new Date());
const days = [1, 2, 3, 5, 8].map((n) => addDays(today, -n));

/** The latest of the last 60 days with at least `min` items: some days have none. */
function dayWith(platform: string, handle: string, min: number): string {
  const date = Array.from({ length: 60 }, (_, i) => addDays(today, -1 - i)).find(
    (d) => fakeDayCount(platform, handle, d) >= min,
  );
  if (!date) throw new Error(`no day in the last 60 with ${min}+ ${platform} items for ${handle}`);
  return date;
}

const handles = {
  github: 'octo-cat',
  youtube: 'UCdemoChannel0001',
  twitter: 'jack_dev',
  instagram: '17841400000000042',
} as const;

beforeAll(async () => {
  fake = await startFakePlatforms({ port: 0, faults: [] });
  config = fakePlatformConfig(fake, 500);
  clients = createPlatformClients(config);
  patient = createPlatformClients(config, { maxPages: 200 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.control.reset());

describe('platform clients against the fake APIs', () => {
  it.each(Object.entries(handles))('%s: the day count matches the fake data', async (platform, handle) => {
    const client = clients[platform as keyof PlatformClients];
    for (const date of days) {
      const activity = await client.fetchDay(handle, date);
      expect(activity.count, `${platform} ${date}`).toBe(fakeDayCount(platform, handle, date));
      expect(activity.details.truncated).toBeUndefined();
    }
  });

  it.each(Object.entries(handles))('%s: follows pagination to the end of the day', async (platform, handle) => {
    const client = patient[platform as keyof PlatformClients];
    // A busy day, so tiny pages force several requests.
    const date = dayWith(platform, handle, 2);
    const expected = fakeDayCount(platform, handle, date);
    fake.control.apply({ pageSize: 1 });
    const activity = await client.fetchDay(handle, date);
    expect(activity.count).toBe(expected);
    const account = platform === 'twitter' ? handle : handle.toLowerCase();
    expect(fake.control.count(platform, account)).toBeGreaterThan(1);
  });

  it('a day that needs more pages than allowed is stored as truncated, not silently short', async () => {
    // Two pages of one event cannot hold a day with three or more.
    const date = dayWith('github', handles.github, 3);
    const hasty = createPlatformClients(config, { maxPages: 2 });
    fake.control.apply({ pageSize: 1 });
    const activity = await hasty.github.fetchDay(handles.github, date);
    expect(activity.details.truncated).toBe(true);
    expect(activity.count).toBeLessThan(fakeDayCount('github', handles.github, date));
    expect(fake.control.count('github', handles.github)).toBe(2);
  });

  it('GitHub details name event types and repositories', async () => {
    const date = dayWith('github', handles.github, 1);
    const { details, count } = await clients.github.fetchDay(handles.github, date);
    const byType = details.events as Record<string, number>;
    expect(Object.values(byType).reduce((a, b) => a + b, 0)).toBe(count);
    expect((details.repos as string[]).every((r) => r.startsWith('octo-cat/'))).toBe(true);
  });

  it('X: a numeric handle skips the username lookup', async () => {
    const id = fakeTwitterId(handles.twitter);
    const date = days[0];
    await clients.twitter.fetchDay(id, date);
    expect(fake.control.count('twitter', handles.twitter)).toBe(1);
    await clients.twitter.fetchDay(handles.twitter, date);
    expect(fake.control.count('twitter', handles.twitter)).toBe(3);
  });
});

describe('failure classification over HTTP', () => {
  const date = days[0];

  it('429 with Retry-After → RateLimitedError for that long', async () => {
    fake.control.apply({ faults: [{ platform: 'github', mode: 'rate_limit', retryAfterSec: 77, delayMs: 0 }] });
    const err = await clients.github.fetchDay('octo-cat', date).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ provider: 'github', retryAfterSec: 77 });
  });

  it('GitHub 403 with x-ratelimit-remaining: 0 → RateLimitedError until the reset header', async () => {
    fake.control.apply({
      faults: [{ platform: 'github', mode: 'rate_limit', status: 403, retryAfterSec: 900, delayMs: 0 }],
    });
    const err = await clients.github.fetchDay('octo-cat', date).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterSec).toBeGreaterThanOrEqual(899);
    expect(err.retryAfterSec).toBeLessThanOrEqual(901);
  });

  it('X 429 → RateLimitedError on the posts request as on the lookup', async () => {
    fake.control.apply({ faults: [{ platform: 'twitter', mode: 'rate_limit', retryAfterSec: 15, delayMs: 0 }] });
    const err = await clients.twitter.fetchDay('jack_dev', date).catch((e) => e);
    expect(err).toMatchObject({ provider: 'twitter', retryAfterSec: 15 });
  });

  it('5xx → retryable ProviderError', async () => {
    fake.control.apply({ faults: [{ platform: 'youtube', mode: 'error', status: 502, retryAfterSec: 0, delayMs: 0 }] });
    const err = await clients.youtube.fetchDay(handles.youtube, date).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).not.toBeInstanceOf(PermanentJobError);
    expect(err.message).toMatch(/^YouTube answered 502 for channel "UCdemoChannel0001"; will retry/);
  });

  it('404 → PermanentJobError naming the account', async () => {
    const err = await clients.github.fetchDay('gone-octo', date).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentJobError);
    expect(err.message).toBe(
      'GitHub has no user "gone-octo" (404 Not Found): check the handle on this connection (GitHub said: Not Found)',
    );
  });

  it('401 → PermanentJobError naming the setting to fix', async () => {
    fake.control.apply({ faults: [{ platform: 'instagram', mode: 'unauthorized', retryAfterSec: 0, delayMs: 0 }] });
    const err = await clients.instagram.fetchDay(handles.instagram, date).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentJobError);
    expect(err.message).toMatch(/check INSTAGRAM_ACCESS_TOKEN/);
  });

  it('a slow answer → retryable timeout', async () => {
    fake.control.apply({
      faults: [{ platform: 'twitter', handle: 'jack_dev', mode: 'slow', delayMs: 2_000, retryAfterSec: 0 }],
    });
    const err = await clients.twitter.fetchDay('jack_dev', date).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toBe('Twitter/X did not answer within 500 ms for user "@jack_dev"; will retry');
  });

  it('an unreachable API → retryable', async () => {
    const port = await closedPort();
    const offline = createPlatformClients({ ...config, GITHUB_API_URL: `http://127.0.0.1:${port}` });
    const err = await offline.github.fetchDay('octo-cat', date).catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toBe(
      `Could not reach GitHub at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}; will retry`,
    );
  });

  it('a page larger than 5 MB is refused as it streams in, not read whole', async () => {
    // Streams a JSON array without end until the client hangs up; counts what it got to send.
    let sent = 0;
    const chunk = Buffer.from(
      `${JSON.stringify({ id: '1', type: 'PushEvent', created_at: new Date().toISOString() })},`.repeat(500),
    );
    const huge = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      const pump = () => {
        while (!res.destroyed && sent < 200_000_000) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.destroy());
      pump();
    });
    await new Promise<void>((r) => huge.listen(0, '127.0.0.1', r));
    try {
      const port = (huge.address() as AddressInfo).port;
      const flooded = createPlatformClients({
        ...config,
        GITHUB_API_URL: `http://127.0.0.1:${port}`,
        PLATFORM_TIMEOUT_MS: 10_000,
      });
      const err = await flooded.github.fetchDay('octo-cat', date).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err.message).toBe('GitHub answered with more than 5 MB for user "octo-cat"');
      expect(sent).toBeLessThan(50_000_000);
    } finally {
      huge.closeAllConnections();
      await new Promise((r) => huge.close(r));
    }
  });

  it('faults limited by `times` expire, and only match their handle', async () => {
    fake.control.apply({
      faults: [{ platform: 'github', handle: 'octo-cat', mode: 'error', times: 1, retryAfterSec: 0, delayMs: 0 }],
    });
    await expect(clients.github.fetchDay('other-cat', date)).resolves.toMatchObject({
      count: fakeDayCount('github', 'other-cat', date),
    });
    await expect(clients.github.fetchDay('octo-cat', date)).rejects.toBeInstanceOf(ProviderError);
    await expect(clients.github.fetchDay('octo-cat', date)).resolves.toMatchObject({
      count: fakeDayCount('github', 'octo-cat', date),
    });
  });

  it('the control endpoint works over HTTP', async () => {
    const post = await fetch(`${fake.url}/_control`, {
      method: 'POST',
      body: JSON.stringify({ addFaults: [{ platform: 'instagram', mode: 'not_found' }] }),
    });
    expect(post.status).toBe(200);
    await expect(clients.instagram.fetchDay(handles.instagram, date)).rejects.toBeInstanceOf(PermanentJobError);
    const stats = await (await fetch(`${fake.url}/_control/stats`)).json();
    expect(stats.requests[`instagram:${handles.instagram}`]).toBe(1);
    const bad = await fetch(`${fake.url}/_control`, { method: 'POST', body: '{"faults":[{"mode":"explode"}]}' });
    expect(bad.status).toBe(400);
    expect((await fetch(`${fake.url}/_control`, { method: 'DELETE' })).status).toBe(200);
    expect((await (await fetch(`${fake.url}/_control/stats`)).json()).total).toBe(0);
  });
});
