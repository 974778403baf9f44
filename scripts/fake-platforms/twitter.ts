import { createHash } from 'node:crypto';
import { decodeCursor, encodeCursor, itemsBetween } from './data';
import type { FakeModule } from './types';

// Ids are derived from the username, so any server instance answers the same; the reverse map lets
// requests by id be counted under the username.
const usernames = new Map<string, string>();
export function fakeTwitterId(username: string): string {
  const name = username.toLowerCase();
  const id = String(BigInt(`0x${createHash('sha256').update(`twitter|${name}`).digest('hex').slice(0, 12)}`));
  usernames.set(id, name);
  return id;
}
const accountOfId = (id: string) => usernames.get(id) ?? id;

const xError = (status: number, message: string) => ({
  title:
    status === 429
      ? 'Too Many Requests'
      : status === 404
        ? 'Not Found Error'
        : status === 401
          ? 'Unauthorized'
          : 'Error',
  detail: message,
  type: `https://api.twitter.com/2/problems/${status === 404 ? 'resource-not-found' : 'about:blank'}`,
  status,
});

const limits = (now: Date, remaining: number, resetSec = 900, limit = 1500) => ({
  'x-rate-limit-limit': String(limit),
  'x-rate-limit-remaining': String(remaining),
  'x-rate-limit-reset': String(Math.ceil(now.getTime() / 1000) + resetSec),
});

/** X API v2: `GET /users/by/username/{username}` and `GET /users/{id}/tweets?start_time&end_time`. */
export const twitterModule: FakeModule = {
  name: 'twitter',
  prefix: '/twitter/2',
  envVar: 'TWITTER_API_URL',
  errorBody: xError,
  rateLimitHeaders: (retryAfterSec, now) => limits(now, 0, retryAfterSec),
  quotaHeaders: (left, now) => limits(now, left.remaining, left.resetSec, left.limit),
  routes: [
    {
      path: /^\/users\/by\/username\/([A-Za-z0-9_]{1,15})$/,
      account: ({ match }) => match[1],
      serve({ match, state }) {
        const username = match[1];
        return {
          headers: limits(state.now(), 299),
          body: { data: { id: fakeTwitterId(username), name: username, username } },
        };
      },
    },
    {
      path: /^\/users\/(\d{1,20})\/tweets$/,
      account: ({ match }) => accountOfId(match[1]),
      serve({ url, match, state }) {
        const q = url.searchParams;
        const now = state.now();
        const start = q.get('start_time') ? new Date(q.get('start_time')!) : new Date(now.getTime() - 7 * 86_400_000);
        const end = q.get('end_time') ? new Date(q.get('end_time')!) : now;
        const max = Number(q.get('max_results') ?? 10);
        if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || !(max >= 5 && max <= 100)) {
          return {
            status: 400,
            body: {
              errors: [{ message: 'Invalid start_time, end_time or max_results' }],
              title: 'Invalid Request',
              detail: 'One or more parameters to your request was invalid.',
              type: 'https://api.twitter.com/2/problems/invalid-request',
            },
          };
        }
        const offset = decodeCursor(q.get('pagination_token'));
        if (offset < 0) return { status: 400, body: xError(400, 'Invalid pagination_token') };
        const size = state.pageSize(max);
        const all = itemsBetween('twitter', accountOfId(match[1]), start, end, now, 31).reverse();
        const slice = all.slice(offset, offset + size);
        const meta: Record<string, unknown> = { result_count: slice.length };
        if (slice.length) Object.assign(meta, { newest_id: slice[0].id, oldest_id: slice.at(-1)!.id });
        if (offset + size < all.length) meta.next_token = encodeCursor(offset + size);
        return {
          headers: limits(now, 1499),
          body: {
            ...(slice.length
              ? {
                  data: slice.map((t) => ({
                    id: t.id,
                    text: t.title,
                    created_at: t.at.toISOString(),
                    edit_history_tweet_ids: [t.id],
                  })),
                }
              : {}),
            meta,
          },
        };
      },
    },
  ],
};
