import 'server-only';
import { z } from 'zod';
import { dayWindow } from '../dates';
import { requireHandle } from '../handles';
import { canFetchAnotherPage, endpoint, fetchJson, nextLink, sameOrigin } from './fetch-json';
import type { ClientConfig, DayActivity, PlatformClient } from './types';

const EventsSchema = z.array(
  z.object({
    id: z.string(),
    type: z.string().nullable(),
    created_at: z.string(),
    repo: z.object({ name: z.string() }).partial().optional(),
  }),
);

/**
 * GitHub REST `GET /users/{user}/events/public`: newest first, 100 per page, Link-header pagination.
 * GitHub keeps only the last 90 days (300 events) there, so an older day can come back empty or cut:
 * such a result is marked `partial`.
 */
export function createGithubClient(config: ClientConfig): PlatformClient {
  const maxPages = config.maxPages ?? 10;
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
  };
  return {
    platform: 'github',
    async fetchDay(handle, date, opts = {}): Promise<DayActivity> {
      const user = requireHandle('github', handle);
      const { start, end } = dayWindow(date);
      const byType: Record<string, number> = {};
      const repos = new Set<string>();
      let count = 0;
      let url: URL | null = endpoint(config.baseUrl, `/users/${encodeURIComponent(user)}/events/public`, {
        per_page: '100',
      });
      let pages = 0;
      let reachedEarlierDays = false;
      while (url && canFetchAnotherPage(pages, maxPages, opts, config.timeoutMs)) {
        const { data, headers: h } = await fetchJson({
          platform: 'github',
          url,
          schema: EventsSchema,
          headers,
          what: `user "${user}"`,
          tokenEnv: 'GITHUB_TOKEN',
          timeoutMs: config.timeoutMs,
          signal: opts.signal,
          fetch: config.fetch,
          allowance: opts.allowance,
        });
        pages++;
        for (const e of data) {
          const at = Date.parse(e.created_at);
          if (at < start.getTime()) reachedEarlierDays = true;
          if (at < start.getTime() || at >= end.getTime()) continue;
          count++;
          const type = e.type ?? 'Event';
          byType[type] = (byType[type] ?? 0) + 1;
          if (e.repo?.name) repos.add(e.repo.name);
        }
        const next = nextLink(h.get('link'));
        url = reachedEarlierDays || !next ? null : sameOrigin(next, config.baseUrl);
      }
      // Cut short (pages or time), or the list ended before it reached the day before: the window
      // GitHub keeps may have cut the day.
      const partial = url !== null || !reachedEarlierDays;
      return {
        count,
        details: { events: byType, repos: [...repos].slice(0, 10), ...(url ? { truncated: true } : {}) },
        ...(partial ? { partial } : {}),
      };
    },
  };
}
