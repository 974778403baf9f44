import 'server-only';
import { z } from 'zod';
import { PermanentJobError } from '@/lib/queue';
import { dayWindow } from '../dates';
import { requireHandle } from '../handles';
import { canFetchAnotherPage, endpoint, fetchJson } from './fetch-json';
import type { ClientConfig, DayActivity, FetchDayOptions, PlatformClient } from './types';

const UserSchema = z.object({
  data: z.object({ id: z.string(), username: z.string() }).optional(),
  errors: z.array(z.object({ detail: z.string().optional(), title: z.string().optional() })).optional(),
});

const TweetsSchema = z.object({
  data: z.array(z.object({ id: z.string(), created_at: z.string().optional() })).default([]),
  meta: z.object({ result_count: z.number().int().min(0), next_token: z.string().optional() }),
});

// X wants second precision: 2026-01-01T00:00:00Z.
const xTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * X API v2: `GET /users/by/username/{name}` (skipped when the handle is already a numeric id), then
 * `GET /users/{id}/tweets?start_time&end_time` following `meta.next_token`.
 */
export function createTwitterClient(config: ClientConfig): PlatformClient {
  const maxPages = config.maxPages ?? 10;
  const headers: Record<string, string> = config.token ? { authorization: `Bearer ${config.token}` } : {};
  const common = {
    platform: 'twitter' as const,
    headers,
    tokenEnv: 'TWITTER_BEARER_TOKEN',
    timeoutMs: config.timeoutMs,
    fetch: config.fetch,
  };

  async function userId(handle: string, opts: FetchDayOptions): Promise<string> {
    if (/^\d+$/.test(handle)) return handle;
    const { data } = await fetchJson({
      ...common,
      signal: opts.signal,
      allowance: opts.allowance,
      schema: UserSchema,
      what: `user "@${handle}"`,
      url: endpoint(config.baseUrl, `/users/by/username/${encodeURIComponent(handle)}`),
    });
    // X answers 200 with an `errors` list for a name it does not know.
    if (!data.data) {
      const said = data.errors?.[0]?.detail ?? data.errors?.[0]?.title;
      throw new PermanentJobError(
        `Twitter/X has no user "@${handle}"${said ? ` (X said: ${said.slice(0, 200)})` : ''}: check the handle on this connection`,
      );
    }
    return data.data.id;
  }

  return {
    platform: 'twitter',
    async fetchDay(handle, date, opts = {}): Promise<DayActivity> {
      const name = requireHandle('twitter', handle);
      const id = await userId(name, opts);
      const { start, end } = dayWindow(date);
      let count = 0;
      let next: string | undefined;
      let pages = 0;
      do {
        const url = endpoint(config.baseUrl, `/users/${id}/tweets`, {
          start_time: xTime(start),
          end_time: xTime(end),
          max_results: '100',
          'tweet.fields': 'created_at',
          pagination_token: next,
        });
        const { data } = await fetchJson({
          ...common,
          url,
          signal: opts.signal,
          allowance: opts.allowance,
          schema: TweetsSchema,
          what: `posts of "@${name}"`,
        });
        pages++;
        count += data.data.filter((t) => {
          const at = t.created_at ? Date.parse(t.created_at) : start.getTime();
          return at >= start.getTime() && at < end.getTime();
        }).length;
        next = data.meta.next_token || undefined;
      } while (next && canFetchAnotherPage(pages, maxPages, opts, config.timeoutMs));
      return {
        count,
        details: { posts: count, ...(next ? { truncated: true } : {}) },
        ...(next ? { partial: true } : {}),
      };
    },
  };
}
