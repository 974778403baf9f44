import { decodeCursor, encodeCursor, itemsBetween, type FakeItem } from './data';
import type { FakeModule, FakeRequest, FakeReply } from './types';

const REASONS: Record<number, string> = {
  400: 'badRequest',
  401: 'authError',
  403: 'forbidden',
  404: 'channelNotFound',
  429: 'rateLimitExceeded',
};

const googleError = (status: number, message: string) => ({
  error: {
    code: status,
    message,
    errors: [{ message, domain: 'youtube.api', reason: REASONS[status] ?? 'backendError' }],
  },
});

/** The items in [publishedAfter, publishedBefore) for `channelId`, newest first, paged by pageToken. */
function page(
  req: FakeRequest,
  pick: (items: FakeItem[]) => FakeItem[],
): { items: FakeItem[]; next?: string; total: number } | FakeReply {
  const q = req.url.searchParams;
  const channelId = q.get('channelId');
  if (!channelId)
    return { status: 400, body: googleError(400, 'No filter selected. Expected one of: channelId, home, mine.') };
  const now = req.state.now();
  const after = q.get('publishedAfter')
    ? new Date(q.get('publishedAfter')!)
    : new Date(now.getTime() - 30 * 86_400_000);
  const before = q.get('publishedBefore') ? new Date(q.get('publishedBefore')!) : now;
  if (Number.isNaN(after.getTime()) || Number.isNaN(before.getTime())) {
    return { status: 400, body: googleError(400, 'Invalid value for publishedAfter or publishedBefore') };
  }
  const size = req.state.pageSize(Math.min(50, Math.max(0, Number(q.get('maxResults') ?? 5) || 5)));
  const offset = decodeCursor(q.get('pageToken'));
  if (offset < 0) return { status: 400, body: googleError(400, 'The request specifies an invalid page token.') };
  const all = pick(itemsBetween('youtube', channelId, after, before, now, 31)).reverse();
  const slice = all.slice(offset, offset + size);
  return {
    items: slice,
    next: offset + size < all.length ? encodeCursor(offset + size) : undefined,
    total: all.length,
  };
}

const channelOf = ({ url }: { url: URL }) => url.searchParams.get('channelId') ?? undefined;

/** YouTube Data API v3: `GET /activities` and `GET /search` for a channel in a time window. */
export const youtubeModule: FakeModule = {
  name: 'youtube',
  prefix: '/youtube/v3',
  envVar: 'YOUTUBE_API_URL',
  errorBody: googleError,
  routes: [
    {
      path: /^\/activities$/,
      account: channelOf,
      serve(req) {
        const r = page(req, (items) => items);
        if (!('items' in r)) return r;
        const channelId = req.url.searchParams.get('channelId')!;
        return {
          body: {
            kind: 'youtube#activityListResponse',
            etag: `etag-${r.total}`,
            ...(r.next ? { nextPageToken: r.next } : {}),
            pageInfo: { totalResults: r.total, resultsPerPage: r.items.length },
            items: r.items.map((i) => ({
              kind: 'youtube#activity',
              etag: `etag-${i.id}`,
              id: `act-${i.id}`,
              snippet: { publishedAt: i.at.toISOString(), channelId, title: i.title, description: '', type: i.kind },
              contentDetails:
                i.kind === 'upload'
                  ? { upload: { videoId: `v${i.id}` } }
                  : { [i.kind]: { resourceId: { videoId: `v${i.id}` } } },
            })),
          },
        };
      },
    },
    {
      path: /^\/search$/,
      account: channelOf,
      serve(req) {
        const r = page(req, (items) => items.filter((i) => i.kind === 'upload'));
        if (!('items' in r)) return r;
        return {
          body: {
            kind: 'youtube#searchListResponse',
            ...(r.next ? { nextPageToken: r.next } : {}),
            pageInfo: { totalResults: r.total, resultsPerPage: r.items.length },
            items: r.items.map((i) => ({
              kind: 'youtube#searchResult',
              id: { kind: 'youtube#video', videoId: `v${i.id}` },
              snippet: {
                publishedAt: i.at.toISOString(),
                channelId: req.url.searchParams.get('channelId'),
                title: i.title,
              },
            })),
          },
        };
      },
    },
  ],
};
