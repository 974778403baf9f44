import 'server-only';
import { z } from 'zod';
import { PermanentJobError, RateLimitedError } from '@/lib/queue';
import { dayWindow } from '../dates';
import { requireHandle } from '../handles';
import { canFetchAnotherPage, endpoint, fetchJson, sameOrigin } from './fetch-json';
import type { ClientConfig, DayActivity, PlatformClient } from './types';

const MediaSchema = z.object({
  data: z.array(z.object({ id: z.string(), media_type: z.string().optional(), timestamp: z.string() })).default([]),
  paging: z.object({ next: z.string().optional() }).partial().optional(),
});

// Graph API timestamps read "2026-01-01T12:00:00+0000"; Date.parse wants the offset with a colon.
const parseGraphTime = (s: string) => Date.parse(s.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));

const RATE_CODES = new Set([4, 17, 32, 613]);

/** The Graph API reports throttling and expired tokens as error codes, often inside a 400. */
export function instagramGraphError(status: number, body: unknown): Error | null {
  const error = (body as { error?: { code?: number; message?: string } } | null)?.error;
  if (!error || typeof error.code !== 'number') return null;
  if (RATE_CODES.has(error.code)) return new RateLimitedError('instagram', 300);
  if (error.code === 190) {
    return new PermanentJobError(
      `Instagram rejected the access token (code 190): check INSTAGRAM_ACCESS_TOKEN${error.message ? ` (Instagram said: ${error.message.slice(0, 200)})` : ''}`,
    );
  }
  if (error.code === 100 && status === 400) {
    return new PermanentJobError(
      `Instagram has no such user, or it is not visible to this token (code 100)${error.message ? ` (Instagram said: ${error.message.slice(0, 200)})` : ''}: check the handle on this connection`,
    );
  }
  return null;
}

/** Instagram Graph API `GET /{ig-user-id}/media?since&until`, following `paging.next`. */
export function createInstagramClient(config: ClientConfig): PlatformClient {
  const maxPages = config.maxPages ?? 10;
  return {
    platform: 'instagram',
    async fetchDay(handle, date, opts = {}): Promise<DayActivity> {
      const user = requireHandle('instagram', handle);
      const { start, end } = dayWindow(date);
      const byType: Record<string, number> = {};
      let count = 0;
      let url: URL | null = endpoint(config.baseUrl, `/${encodeURIComponent(user)}/media`, {
        fields: 'id,media_type,timestamp',
        limit: '100',
        since: String(start.getTime() / 1000),
        until: String(end.getTime() / 1000 - 1),
        access_token: config.token,
      });
      let pages = 0;
      while (url && canFetchAnotherPage(pages, maxPages, opts, config.timeoutMs)) {
        const { data }: { data: z.infer<typeof MediaSchema> } = await fetchJson({
          platform: 'instagram',
          url,
          schema: MediaSchema,
          what: `user "${user}"`,
          tokenEnv: 'INSTAGRAM_ACCESS_TOKEN',
          timeoutMs: config.timeoutMs,
          signal: opts.signal,
          fetch: config.fetch,
          allowance: opts.allowance,
          inspectFailure: instagramGraphError,
        });
        pages++;
        for (const m of data.data) {
          const at = parseGraphTime(m.timestamp);
          if (at < start.getTime() || at >= end.getTime()) continue;
          count++;
          const type = m.media_type ?? 'MEDIA';
          byType[type] = (byType[type] ?? 0) + 1;
        }
        url = data.paging?.next ? sameOrigin(data.paging.next, config.baseUrl) : null;
      }
      return {
        count,
        details: { media: byType, ...(url ? { truncated: true } : {}) },
        ...(url ? { partial: true } : {}),
      };
    },
  };
}
