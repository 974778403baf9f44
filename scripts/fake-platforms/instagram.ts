import { decodeCursor, encodeCursor, itemsBetween } from './data';
import type { FakeModule } from './types';

const CODES: Record<number, number> = { 401: 190, 403: 10, 404: 100, 429: 4 };

const graphError = (status: number, message: string) => ({
  error: {
    message,
    type: status === 401 ? 'OAuthException' : 'IGApiException',
    code: CODES[status] ?? 2,
    fbtrace_id: 'FakeTrace',
  },
});

const seconds = (v: string | null, fallback: Date) => (v && /^\d+$/.test(v) ? new Date(Number(v) * 1000) : fallback);

// Graph API timestamps: "2026-01-01T12:00:00+0000".
const graphTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+0000');

/** Instagram Graph API: `GET /{ig-user-id}/media?since&until&limit&after` with `paging.next`, and `GET /{ig-user-id}`. */
export const instagramModule: FakeModule = {
  name: 'instagram',
  prefix: '/instagram',
  envVar: 'INSTAGRAM_API_URL',
  errorBody: graphError,
  routes: [
    {
      path: /^\/([A-Za-z0-9_.-]{1,64})\/media$/,
      account: ({ match }) => match[1],
      serve({ url, match, base, state }) {
        const q = url.searchParams;
        const now = state.now();
        const user = match[1];
        const since = seconds(q.get('since'), new Date(now.getTime() - 30 * 86_400_000));
        // `until` is inclusive, to the second.
        const until = new Date(seconds(q.get('until'), now).getTime() + 1000);
        const size = state.pageSize(Math.min(100, Math.max(1, Number(q.get('limit') ?? 25) || 25)));
        const offset = decodeCursor(q.get('after'));
        if (offset < 0) return { status: 400, body: graphError(400, 'Invalid cursor') };
        const all = itemsBetween('instagram', user, since, until, now, 31).reverse();
        const slice = all.slice(offset, offset + size);
        const paging: Record<string, unknown> = {
          cursors: { before: encodeCursor(offset), after: encodeCursor(offset + slice.length) },
        };
        if (offset + size < all.length) {
          const next = new URL(`${base}/${user}/media`);
          for (const [k, v] of q) next.searchParams.set(k, v);
          next.searchParams.set('after', encodeCursor(offset + size));
          paging.next = next.toString();
        }
        return {
          body: {
            data: slice.map((m) => ({
              id: m.id,
              media_type: m.kind,
              timestamp: graphTime(m.at),
              permalink: `https://www.instagram.com/p/${m.id}/`,
              caption: m.title,
            })),
            paging,
          },
        };
      },
    },
    {
      path: /^\/([A-Za-z0-9_.-]{1,64})$/,
      account: ({ match }) => match[1],
      serve: ({ match }) => ({ body: { id: match[1], username: `user_${match[1]}` } }),
    },
  ],
};
