import 'server-only';
import { z } from 'zod';
import { RateLimitedError } from '@/lib/queue';
import { dayWindow } from '../dates';
import { requireHandle } from '../handles';
import { canFetchAnotherPage, endpoint, fetchJson } from './fetch-json';
import type { ClientConfig, DayActivity, PlatformClient } from './types';

const ActivitiesSchema = z.object({
  items: z
    .array(
      z.object({
        id: z.string(),
        snippet: z.object({ publishedAt: z.string(), type: z.string().optional(), title: z.string().optional() }),
      }),
    )
    .default([]),
  nextPageToken: z.string().optional(),
});

const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded']);
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

const pacificHour = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  hour: 'numeric',
  hourCycle: 'h23',
});

/** Seconds to the next midnight in California, when YouTube refills the daily quota. */
function secondsToQuotaReset(now: Date): number {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  // Pacific midnight falls at 07:00 UTC under daylight time and at 08:00 UTC otherwise; which one it is
  // on a given day (the switch days included) is the time zone database's to say.
  for (let d = 0; ; d++) {
    for (const hour of [7, 8]) {
      const at = day + d * 86_400_000 + hour * 3_600_000;
      if (at > now.getTime() && Number(pacificHour.format(at)) === 0) return Math.ceil((at - now.getTime()) / 1000);
    }
  }
}

/** Google puts the reason for a 403 in the body: quota used up is a wait, not a permission problem. */
export function youtubeQuotaError(status: number, body: unknown, now = new Date()): Error | null {
  if (status !== 403 && status !== 429) return null;
  const errors = (body as { error?: { errors?: { reason?: string }[] } } | null)?.error?.errors ?? [];
  const reasons = errors.map((e) => e.reason ?? '');
  if (reasons.some((r) => QUOTA_REASONS.has(r))) return new RateLimitedError('youtube', secondsToQuotaReset(now));
  if (reasons.some((r) => RATE_REASONS.has(r))) return new RateLimitedError('youtube', 60);
  return null;
}

/**
 * YouTube Data API v3 `GET /activities` for a channel between publishedAfter and publishedBefore,
 * counting uploads. Chosen over /search because it costs 1 quota unit per page instead of 100.
 */
export function createYoutubeClient(config: ClientConfig): PlatformClient {
  const maxPages = config.maxPages ?? 10;
  return {
    platform: 'youtube',
    async fetchDay(handle, date, opts = {}): Promise<DayActivity> {
      const channelId = requireHandle('youtube', handle);
      const { start, end } = dayWindow(date);
      const titles: string[] = [];
      let count = 0;
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const url = endpoint(config.baseUrl, '/activities', {
          part: 'snippet,contentDetails',
          channelId,
          maxResults: '50',
          publishedAfter: start.toISOString(),
          publishedBefore: end.toISOString(),
          pageToken,
          key: config.token,
        });
        const { data } = await fetchJson({
          platform: 'youtube',
          url,
          schema: ActivitiesSchema,
          what: `channel "${channelId}"`,
          tokenEnv: 'YOUTUBE_API_KEY',
          timeoutMs: config.timeoutMs,
          signal: opts.signal,
          fetch: config.fetch,
          allowance: opts.allowance,
          inspectFailure: (status, body, _headers, now) => youtubeQuotaError(status, body, now),
        });
        pages++;
        for (const item of data.items) {
          const at = Date.parse(item.snippet.publishedAt);
          if (item.snippet.type !== 'upload' || at < start.getTime() || at >= end.getTime()) continue;
          count++;
          if (item.snippet.title && titles.length < 5) titles.push(item.snippet.title.slice(0, 120));
        }
        pageToken = data.nextPageToken || undefined;
      } while (pageToken && canFetchAnotherPage(pages, maxPages, opts, config.timeoutMs));
      return {
        count,
        details: { uploads: count, titles, ...(pageToken ? { truncated: true } : {}) },
        ...(pageToken ? { partial: true } : {}),
      };
    },
  };
}
