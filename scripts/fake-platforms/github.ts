import { itemsBetween } from './data';
import type { FakeModule } from './types';

const WINDOW_DAYS = 90;
const MAX_EVENTS = 300;

const resetHeaders = (now: Date, remaining: number, retryAfterSec = 3600, limit = 5000) => ({
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset': String(Math.ceil(now.getTime() / 1000) + retryAfterSec),
  'x-ratelimit-resource': 'core',
});

/**
 * GitHub REST: `GET /users/{user}/events/public` (newest first, the last 90 days and at most 300
 * events, `per_page` ≤ 100, `page`, Link header) and `GET /users/{user}`.
 */
export const githubModule: FakeModule = {
  name: 'github',
  prefix: '/github',
  envVar: 'GITHUB_API_URL',
  errorBody: (status, message) => ({
    message,
    documentation_url: 'https://docs.github.com/rest',
    status: String(status),
  }),
  rateLimitHeaders: (retryAfterSec, now) => resetHeaders(now, 0, retryAfterSec),
  quotaHeaders: (left, now) => resetHeaders(now, left.remaining, left.resetSec, left.limit),
  routes: [
    {
      path: /^\/users\/([^/]+)\/events\/public$/,
      account: ({ match }) => decodeURIComponent(match[1]),
      serve({ url, match, base, state }) {
        const user = decodeURIComponent(match[1]);
        const now = state.now();
        const perPage = state.pageSize(
          Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30)),
        );
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
        const events = itemsBetween(
          'github',
          user,
          new Date(now.getTime() - WINDOW_DAYS * 86_400_000),
          now,
          now,
          WINDOW_DAYS + 1,
        )
          .reverse()
          .slice(0, MAX_EVENTS);
        const last = Math.max(1, Math.ceil(events.length / perPage));
        const link = (p: number, rel: string) =>
          `<${base}/users/${encodeURIComponent(user)}/events/public?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        const links = [];
        if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
        if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
        return {
          headers: { ...resetHeaders(now, 4999), ...(links.length ? { link: links.join(', ') } : {}) },
          body: events.slice((page - 1) * perPage, page * perPage).map((e) => ({
            id: e.id,
            type: e.kind,
            actor: { login: user, display_login: user },
            repo: { name: e.repo, url: `https://api.github.com/repos/${e.repo}` },
            payload: {},
            public: true,
            created_at: e.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          })),
        };
      },
    },
    {
      path: /^\/users\/([^/]+)$/,
      account: ({ match }) => decodeURIComponent(match[1]),
      serve({ match, state }) {
        const login = decodeURIComponent(match[1]);
        return {
          headers: resetHeaders(state.now(), 4999),
          body: {
            login,
            id: login.length * 1000 + login.charCodeAt(0),
            type: 'User',
            name: login,
            public_repos: 4,
            created_at: '2015-01-01T00:00:00Z',
          },
        };
      },
    },
  ],
};
