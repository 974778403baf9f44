/**
 * A local stand-in for an app store's review listing, for the pipeline's scraper, mounted on the fake
 * platform server at /reviews (env REVIEWS_URL):
 *   GET /reviews/apps/{app_id}/reviews?page=N → { app_id, page, reviews: [{ id, rating, text, at }], next_page }
 * Reviews are deterministic per app id. An app id containing "missing" (or starting with "gone") answers
 * 404; the fake server's faults apply as for any platform (platform "reviews", handle = the app id).
 */
import { createHash } from 'node:crypto';
import { serveFakes, type RunningFake } from './fake-platforms/server';
import type { FakeModule } from './fake-platforms/types';

const PAGE_SIZE = 10;

const OPENINGS = ['I', 'Honestly I', 'We', 'My kids', 'Everyone here'];
const GOOD = ['love this app', 'find it great and fast', 'think it is easy and reliable', 'recommend it'];
const BAD = ['hate the ads', 'find it slow and buggy', 'see it crash every day', 'think the update is terrible'];
const ENDINGS = ['.', ', would not change a thing.', ', not good lately.', '. Five stars.', '. Please fix.'];

export interface FakeReview {
  id: string;
  rating: number;
  text: string;
  at: string;
}

/** A seeded sequence per app: the same id always yields the same reviews. */
function seeded(appId: string): () => number {
  let state = createHash('sha256').update(appId).digest().readUInt32LE(0) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

export function fakeReviews(appId: string): FakeReview[] {
  const rnd = seeded(appId);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const count = 12 + Math.floor(rnd() * 19);
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const happy = rnd() < 0.6;
    return {
      id: `${appId}:${i + 1}`,
      rating: happy ? 4 + Math.round(rnd()) : 1 + Math.floor(rnd() * 3),
      text: `${pick(OPENINGS)} ${pick(happy ? GOOD : BAD)}${pick(ENDINGS)}`,
      at: new Date(start + i * 3_600_000).toISOString(),
    };
  });
}

export const reviewsModule: FakeModule = {
  name: 'reviews',
  prefix: '/reviews',
  envVar: 'REVIEWS_URL',
  errorBody: (status, message) => ({ error: message, status }),
  routes: [
    {
      path: /^\/apps\/([^/]+)\/reviews$/,
      account: ({ match }) => decodeURIComponent(match[1]),
      serve({ url, match, state }) {
        const appId = decodeURIComponent(match[1]);
        const page = Number(url.searchParams.get('page') ?? '1');
        if (!Number.isInteger(page) || page < 1)
          return { status: 400, body: { error: 'page must be a positive integer' } };
        if (appId.includes('missing')) return { status: 404, body: { error: `No app ${appId} in the store` } };
        const size = state.pageSize(PAGE_SIZE);
        const all = fakeReviews(appId);
        return {
          body: {
            app_id: appId,
            page,
            reviews: all.slice((page - 1) * size, page * size),
            next_page: page * size < all.length ? page + 1 : null,
          },
        };
      },
    },
  ],
};

/** The review listing alone, on its own port (0 = any free one); `url` is the base a worker is given. */
export async function startFakeReviews(opts: { port?: number } = {}): Promise<RunningFake> {
  const running = await serveFakes([reviewsModule], { port: opts.port });
  return { ...running, url: `${running.url}${reviewsModule.prefix}` };
}
