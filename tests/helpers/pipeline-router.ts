import * as addRoute from '@/app/queue/add/route';
import * as pollRoute from '@/app/queue/poll/route';
import * as updateRoute from '@/app/queue/[job_id]/update/route';
import * as historyRoute from '@/app/queue/[job_id]/history/route';
import * as statusRoute from '@/app/queue/status/[app_id]/route';
import * as overviewRoute from '@/app/queue/overview/route';

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const ROUTES: [string, RegExp, Handler, string[]][] = [
  ['POST', /^\/queue\/add$/, addRoute.POST as Handler, []],
  ['GET', /^\/queue\/poll$/, pollRoute.GET as Handler, []],
  ['GET', /^\/queue\/overview$/, overviewRoute.GET as Handler, []],
  ['GET', /^\/queue\/status\/([^/]+)$/, statusRoute.GET as Handler, ['app_id']],
  ['POST', /^\/queue\/([^/]+)\/update$/, updateRoute.POST as Handler, ['job_id']],
  ['GET', /^\/queue\/([^/]+)\/history$/, historyRoute.GET as Handler, ['job_id']],
];

/**
 * A fetch that serves http://app/queue/* from the route handlers in this process and passes every
 * other URL to the real network: workers run unchanged, without a Next server.
 */
export const APP_ORIGIN = 'http://app.test';

export const routeFetch: typeof fetch = async (input, init) => {
  const req = new Request(input, init);
  const url = new URL(req.url);
  if (url.origin !== APP_ORIGIN) return fetch(req);
  for (const [method, pattern, handler, names] of ROUTES) {
    const m = pattern.exec(url.pathname);
    if (m && req.method === method) {
      const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      return handler(req, { params: Promise.resolve(params) });
    }
  }
  return Response.json({ error: 'Not found' }, { status: 404 });
};
